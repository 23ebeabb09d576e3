-- TAKE
--   KEYS  1 lease, 2 outbox of the partner, then for each member in ARGV
--         the task record it names ("task:<id>"; any declared key for a
--         member of no known form)
--   ARGV  token, partner, now ms, hold ms, member...
--   The caller reads the due members first (ZRANGEBYSCORE outbox -inf now
--   LIMIT 0 limit) and passes them with their records' keys, so that every
--   key is declared; a member no longer in the outbox or no longer due (a
--   change between the two steps) is passed over.
--   Returns {{member, record, due ms, via, attempts, student, created ms,
--   first failed attempt ms, alerted, case id}..., next score or ""}. A taken member is held (its score moved hold ms
--   ahead) while in flight: if this daemon dies, it is sent again then.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE not held')
end
--@include check.lua
--@include record.lua
local out = {}
local pid, now = ARGV[2], tonumber(ARGV[3])
if not now or not tonumber(ARGV[4]) then return badargs('now or hold') end
if #KEYS ~= #ARGV - 2 then return badargs('one record key per member') end
local e = wrongtype(KEYS[2], 'zset')
if e then return redis.error_reply(e) end
local keys = {}
for j = 5, #ARGV do
  if string.match(ARGV[j], '^(.*)|%a+$') then keys[#keys + 1] = {KEYS[j - 2], 'hash'} end
end
e = wrongtypes(keys)
if e then return redis.error_reply(e) end
for j = 5, #ARGV do
  local m = ARGV[j]
  local score = tonumber(redis.call('ZSCORE', KEYS[2], m))
  if score and score <= now then
    local id, kind = string.match(m, '^(.*)|(%a+)$')
    local v = {}
-- a member of no known form is dropped
    if id then
      v = redis.call('HMGET', KEYS[j - 2], 'json', pid .. '.state', pid .. '.due',
                     pid .. '.via', pid .. '.attempts', 'student', 'created_ms',
                     pid .. '.first_ms', pid .. '.alerted', pid .. '.case', 'jk', 'jn')
      v[1] = task_json(KEYS[j - 2], v[1], v[11], v[12])
    end
    if not v[1] or not v[2] or (kind == 'reminder' and v[2] ~= 'open') then
      redis.call('ZREM', KEYS[2], m)
    else
      redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), m)
      -- no ".via" or ".attempts" (ACCEPT writes neither): the primary
      -- connector, no attempt failed yet
      out[#out + 1] = {m, v[1], v[3], v[4] or 'primary', v[5] or '0', v[6], v[7], v[8], v[9], v[10]}
    end
  end
end
local nxt = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
return {out, nxt[2] or ''}
