-- LIST
--   KEYS  1 open tasks of the partner (sorted by due time)
--   ARGV  prefix, partner, max due ms ("+inf" for all open), limit,
--         [after score ("-inf": from the start), after id ("": none)]
--   Returns {{id, record, due ms, state, delivery, via, score}..., ["more"]}
--   in (score, id) order, after the member (after score, after id); "more"
--   last when further members remain, so that a page's last member is a
--   stable cursor for the next.
--@include check.lua
--@include record.lua
local out = {}
local pid = ARGV[2]
local limit = tonumber(ARGV[4])
local after, after_id = ARGV[5] or '-inf', ARGV[6] or ''
local after_n = tonumber(after)
local e = wrongtype(KEYS[1], 'zset')
if e then return redis.error_reply(e) end
local offset, gone = 0, {}
while true do
  local batch = redis.call('ZRANGEBYSCORE', KEYS[1], after, ARGV[3], 'WITHSCORES', 'LIMIT', offset, 200)
  local keys = {}
  for i = 1, #batch, 2 do keys[#keys + 1] = {ARGV[1] .. 'task:' .. batch[i], 'hash'} end
  e = wrongtypes(keys)
  if e then return redis.error_reply(e) end
  for i = 1, #batch, 2 do
    local id, score = batch[i], batch[i + 1]
    if not (after_n and tonumber(score) == after_n and id <= after_id) then
      local v = redis.call('HMGET', ARGV[1] .. 'task:' .. id, 'json', pid .. '.due', pid .. '.state',
                           pid .. '.delivery', pid .. '.via')
      v[1] = task_json(ARGV[1] .. 'task:' .. id, v[1])
      if v[1] then
        if #out >= limit then
          out[#out + 1] = 'more'
          for _, g in ipairs(gone) do redis.call('ZREM', KEYS[1], g) end
          return out
        end
        out[#out + 1] = {id, v[1], v[2], v[3], v[4], v[5], score}
      else
        gone[#gone + 1] = id -- the record expired
      end
    end
  end
  if #batch < 400 then break end
  offset = offset + 200
end
for _, g in ipairs(gone) do redis.call('ZREM', KEYS[1], g) end
return out
