-- TRIM, two modes.
-- Streams: KEYS 1 events (or tasks); ARGV group, retention cutoff id
--   ("ms-0"). Trims entries older than both the oldest pending entry (or,
--   with none pending, the last delivered one) and the cutoff: never an
--   unprocessed entry. Returns the number of entries removed.
-- Cases: KEYS 1 "cases:<partner>" (the index of open and in-progress
--   cases), 2 "caseopen:<partner>", 3 "caseprog:<partner>", 4
--   "caseset:<partner>" (store/lua/cases.lua), 5 "casesbuilt:<partner>",
--   then the "case:<id>" of every index field and, when it rebuilds the
--   per-state sets, the "task:<id>" of every open case; ARGV "cases",
--   prefix, cutoff ms (now less the task retention, the case records'
--   ttl). The caller learns those keys from the script: while one it needs
--   is not declared it writes nothing (but the upgrade below) and returns
--   {"KEYS", key...} naming the missing ones (the first call passes none),
--   and the caller sends it again with them.
--   A case record expires ttl after it was last touched; the index field
--   of a pupil with no further signal stayed. Removes every index field
--   whose case record is gone or closed, and the members of the sorted
--   sets scored before the cutoff (their records are gone or about to
--   be), and the ids of the removed fields' cases from caseopen: and
--   caseprog:. Until "casesbuilt:<partner>" is set, files each live case
--   under its state (cases from before the sets; an ACCEPT or ACK may have
--   made a set already, so the sets' existence says nothing) and then sets
--   it. Upgrade: that note used to be the index's field "sets_built"; the
--   first call moves it into the key (so the index holds only cases).
--   Returns the number of index fields removed.
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function less(a, b)
  local am, as = parse(a); local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end
if ARGV[1] == 'cases' then
  local pre, cutoff = ARGV[2], ARGV[3]
  if ARGV[1] ~= 'cases' or not string.match(cutoff or '', '^%-?%d+$') then
    return redis.error_reply('BADARGS cases, prefix, cutoff ms')
  end
  local types = {'hash', 'zset', 'zset', 'zset', 'string'}
  for k = 1, 5 do
    local t = redis.call('TYPE', KEYS[k]).ok
    if t ~= 'none' and t ~= types[k] then
      return redis.error_reply('WRONGTYPE ' .. KEYS[k] .. ' is not a ' .. types[k])
    end
  end
  if redis.call('HDEL', KEYS[1], 'sets_built') == 1 then redis.call('SET', KEYS[5], '1') end
  local rebuild = redis.call('EXISTS', KEYS[5]) == 0
  -- every case (and, to rebuild, open case's task) key must be declared
  -- before anything is written
  local declared, missing, seen = {}, {}, {}
  for k = 6, #KEYS do declared[KEYS[k]] = true end
  local function need(key)
    if declared[key] then return true end
    if not seen[key] then seen[key] = true; missing[#missing + 1] = key end
    return false
  end
  local mcursor = '0'
  repeat
    local r = redis.call('HSCAN', KEYS[1], mcursor, 'COUNT', 1000)
    mcursor = r[1]
    for k = 2, #r[2], 2 do
      local ckey = pre .. 'case:' .. r[2][k]
      if need(ckey) and rebuild then
        local c = redis.call('HMGET', ckey, 'state', 'task', 'partner')
        if c[1] == 'open' and c[2] and c[3] then need(pre .. 'task:' .. c[2]) end
      end
    end
  until mcursor == '0'
  if #missing > 0 then
    table.insert(missing, 1, 'KEYS')
    return missing
  end
  local cursor, doomed, gone = '0', {}, {}
  repeat
    local r = redis.call('HSCAN', KEYS[1], cursor, 'COUNT', 1000)
    cursor = r[1]
    for k = 1, #r[2], 2 do
      local field, cid = r[2][k], r[2][k + 1]
      local c
      if rebuild then
        c = redis.call('HMGET', pre .. 'case:' .. cid, 'state', 'task', 'partner', 'last_signal_ms',
                       'last_ack_ms')
      else
        c = {redis.call('HGET', pre .. 'case:' .. cid, 'state')}
      end
      if not c[1] or c[1] == 'closed' then
        doomed[#doomed + 1] = field
        gone[#gone + 1] = cid
      elseif rebuild and c[1] == 'open' then
        local due = c[2] and c[3] and redis.call('HGET', pre .. 'task:' .. c[2], c[3] .. '.due')
        redis.call('ZADD', KEYS[2], tonumber(due) or 0, cid)
        redis.call('ZREM', KEYS[3], cid)
      elseif rebuild and c[1] == 'in_progress' then
        local last = math.max(tonumber(c[4]) or 0, tonumber(c[5]) or 0)
        redis.call('ZADD', KEYS[3], last, cid)
        redis.call('ZREM', KEYS[2], cid)
      end
    end
  until cursor == '0'
  for _, f in ipairs(doomed) do redis.call('HDEL', KEYS[1], f) end
  for _, cid in ipairs(gone) do
    redis.call('ZREM', KEYS[2], cid)
    redis.call('ZREM', KEYS[3], cid)
  end
  if rebuild then redis.call('SET', KEYS[5], '1') end
  local before = '(' .. cutoff
  for k = 2, 4 do redis.call('ZREMRANGEBYSCORE', KEYS[k], '-inf', before) end
  return #doomed
end
local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[1])
if not ok then return 0 end
local floor = nil
for _, g in ipairs(groups) do
  local name, last, pending
  for j = 1, #g, 2 do
    if g[j] == 'name' then name = g[j + 1] end
    if g[j] == 'last-delivered-id' then last = g[j + 1] end
    if g[j] == 'pending' then pending = g[j + 1] end
  end
  if name == ARGV[1] then
    floor = last
    if pending > 0 then
      floor = redis.call('XPENDING', KEYS[1], name)[2]
    end
  end
end
if not floor then return 0 end
if less(ARGV[2], floor) then floor = ARGV[2] end
return redis.call('XTRIM', KEYS[1], 'MINID', floor)
