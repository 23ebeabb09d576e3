-- LIST
--   KEYS  1 open tasks of the partner (sorted by due time)
--   ARGV  prefix, partner, max due ms ("+inf" for all open), limit
--   Returns {{id, record, due ms, state, delivery, via}...}.
--@include check.lua
local out = {}
local pid = ARGV[2]
local e = wrongtype(KEYS[1], 'zset')
if e then return redis.error_reply(e) end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3], 'LIMIT', 0, ARGV[4])
local keys = {}
for _, id in ipairs(ids) do keys[#keys + 1] = {ARGV[1] .. 'task:' .. id, 'hash'} end
e = wrongtypes(keys)
if e then return redis.error_reply(e) end
for _, id in ipairs(ids) do
  local v = redis.call('HMGET', ARGV[1] .. 'task:' .. id, 'json', pid .. '.due', pid .. '.state',
                       pid .. '.delivery', pid .. '.via')
  if v[1] then out[#out + 1] = {id, v[1], v[2], v[3], v[4], v[5]}
  else redis.call('ZREM', KEYS[1], id) end -- the record expired
end
return out
