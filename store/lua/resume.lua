-- RESUME: where a partition starts reading its events stream.
--   KEYS  1 lease, 2 offset (hash: "id" the last entry applied, "tries" how
--         often a partition started reading at that id, see below), 3 events
--   ARGV  token, the consumer group of earlier versions ("rules")
--   Refuses with "LEASE" unless the lease holds the token. Returns {id,
--   tries}: the partition reads the entries after id. When entries follow
--   id, tries is raised by one first: it counts the starts at one offset, and
--   COMMIT clears it when the offset moves, so a batch that keeps failing
--   shows as a count that keeps rising (the delivery limit, docs/operations.md).
--   With no offset yet (a new installation, or one that read with the
--   consumer group before) the offset is made from the group: just before its
--   oldest pending entry, else its last delivered id, else "0-0" (no group).
--   The group itself is left as it is.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE not held')
end
--@include check.lua
local e = wrongtypes({{KEYS[2], 'hash'}, {KEYS[3], 'stream'}})
if e then return redis.error_reply(e) end
local cur = redis.call('HMGET', KEYS[2], 'id', 'tries')
local id, tries = cur[1], tonumber(cur[2]) or 0
if not id then
  id = '0-0'
  local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[3])
  if ok then
    for _, g in ipairs(groups) do
      local f = {}
      for j = 1, #g, 2 do f[g[j]] = g[j + 1] end
      if f['name'] == ARGV[2] then
        id = f['last-delivered-id'] or id
        if (f['pending'] or 0) > 0 then
          -- the id just before the oldest pending one
          local first = redis.call('XPENDING', KEYS[3], ARGV[2])[2]
          local ms, seq = string.match(first, '^(%d+)-(%d+)$')
          if seq ~= '0' then
            id = ms .. '-' .. string.format('%.0f', tonumber(seq) - 1)
          elseif ms ~= '0' then
            id = string.format('%.0f', tonumber(ms) - 1) .. '-18446744073709551615'
          else
            id = '0-0'
          end
        end
      end
    end
  end
  redis.call('HSET', KEYS[2], 'id', id)
end
if #redis.call('XRANGE', KEYS[3], '(' .. id, '+', 'COUNT', 1) > 0 then
  tries = tries + 1
  redis.call('HSET', KEYS[2], 'tries', tries)
end
return {id, tries}
