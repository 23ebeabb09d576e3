-- TAKE
--   KEYS  1 lease, 2 outbox of the partner
--   ARGV  token, prefix, partner, now ms, limit, hold ms
--   Returns {{member, record, due ms, via, attempts, student, created ms,
--   first failed attempt ms, alerted, case id}..., next score or ""}. A taken member is held (its score moved hold ms
--   ahead) while in flight: if this daemon dies, it is sent again then.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE not held')
end
--@include check.lua
--@include record.lua
local out = {}
local pid, now = ARGV[3], tonumber(ARGV[4])
if not now or not tonumber(ARGV[5]) or not tonumber(ARGV[6]) then return badargs('now, limit or hold') end
local e = wrongtype(KEYS[2], 'zset')
if e then return redis.error_reply(e) end
local members = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, ARGV[5])
local keys = {}
for _, m in ipairs(members) do
  local id = string.match(m, '^(.*)|%a+$')
  if id then keys[#keys + 1] = {ARGV[2] .. 'task:' .. id, 'hash'} end
end
e = wrongtypes(keys)
if e then return redis.error_reply(e) end
for _, m in ipairs(members) do
  local id, kind = string.match(m, '^(.*)|(%a+)$')
  local v = {}
-- a member of no known form is dropped
  if id then
    v = redis.call('HMGET', ARGV[2] .. 'task:' .. id, 'json', pid .. '.state', pid .. '.due',
                   pid .. '.via', pid .. '.attempts', 'student', 'created_ms',
                   pid .. '.first_ms', pid .. '.alerted', pid .. '.case')
    v[1] = task_json(ARGV[2] .. 'task:' .. id, v[1])
  end
  if not v[1] or not v[2] or (kind == 'reminder' and v[2] ~= 'open') then
    redis.call('ZREM', KEYS[2], m)
  else
    redis.call('ZADD', KEYS[2], now + tonumber(ARGV[6]), m)
    out[#out + 1] = {m, v[1], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]}
  end
end
local nxt = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
return {out, nxt[2] or ''}
