-- REDELIVER
--   KEYS  1 the partner's outbox, 2 audit, 3 the task record ("task:<id>")
--   ARGV  prefix (not read: every key is in KEYS), task id, partner, now ms
--   An assignment whose delivery failed for good (or is undeliverable) is
--   sent again from scratch: attempts, alert and connector reset, due in
--   the outbox now. Returns "OK", "NOTFOUND" (no such task or assignment)
--   or "DELIVERED" (nothing to do).
--@include check.lua
local tk = KEYS[3]
local pid = ARGV[3]
local e = wrongtypes({{tk, 'hash'}, {KEYS[1], 'zset'}, {KEYS[2], 'stream'}})
if e then return redis.error_reply(e) end
local v = redis.call('HMGET', tk, pid .. '.delivery', 'student', pid .. '.state')
if not v[1] then return 'NOTFOUND' end
if v[1] == 'delivered' then return 'DELIVERED' end
-- (no ".via": the primary connector)
redis.call('HSET', tk, pid .. '.delivery', 'pending', pid .. '.attempts', 0)
redis.call('HDEL', tk, pid .. '.first_ms', pid .. '.alerted', pid .. '.via')
-- an update of a case is sent again as an update
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[2] .. (v[3] == 'update' and '|update' or '|task'))
redis.call('XADD', KEYS[2], '*', 'event', 'redeliver', 'task', ARGV[2], 'partner', pid,
           'student', v[2] or '', 'at', ARGV[4])
return 'OK'
