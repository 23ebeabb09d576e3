-- RESULT
--   KEYS  1 lease, 2 outbox of the partner, 3 audit, 4 the task's record, 5 (optional) the
--         partner's undeliverable set ("undeliverable:<partner>": task ids whose delivery is
--         undeliverable or failed, removed when delivered; what the alert reads)
--   ARGV  token, prefix (KEYS[4] must be <prefix>task:<the member's id>), partner, member, outcome (delivered|retry|failed),
--         next attempt ms, now ms, detail, fields csv, legal basis,
--         undeliverable after ms, has fallback (0|1), via, connector
--   Returns "ok", "gone" (the record expired), "fallback" (switched to the
--   fallback connector), "alert" (not delivered in time, still retried) or
--   "failed" (given up).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE not held')
end
--@include check.lua
local pid, m, outcome, now = ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[7])
local id, kind = string.match(m, '^(.*)|(%a+)$')
if not id or not now or not tonumber(ARGV[6]) or not tonumber(ARGV[11]) then
  return badargs('member, next, now or undeliverable time')
end
-- a task and an update of a case are assignments; a reminder is not
local main = kind == 'task' or kind == 'update'
local tk = KEYS[4]
if tk ~= ARGV[2] .. 'task:' .. id then return badargs('the task record key is not the member\'s') end
local uk = KEYS[5]
local e = wrongtypes({{KEYS[2], 'zset'}, {KEYS[3], 'stream'}, {tk, 'hash'}, {uk or KEYS[2], 'zset'}})
if e then return redis.error_reply(e) end
if redis.call('EXISTS', tk) == 0 then
  redis.call('ZREM', KEYS[2], m)
  if uk then redis.call('ZREM', uk, id) end
  return 'gone'
end
local student = redis.call('HGET', tk, 'student') or ''
-- an attempts counter that is no number counts from 0 again
if redis.call('HEXISTS', tk, pid .. '.attempts') == 1 and not isint(redis.call('HGET', tk, pid .. '.attempts')) then
  redis.call('HSET', tk, pid .. '.attempts', 0)
end
local function audit(event)
  redis.call('XADD', KEYS[3], '*', 'event', event, 'task', id, 'partner', pid, 'student', student,
             'kind', kind, 'connector', ARGV[14], 'via', ARGV[13], 'fields', ARGV[9],
             'legal_basis', ARGV[10], 'detail', ARGV[8], 'at', ARGV[7])
end
if outcome == 'delivered' then
  redis.call('ZREM', KEYS[2], m)
  if main then
    if uk then redis.call('ZREM', uk, id) end
    redis.call('HINCRBY', tk, pid .. '.attempts', 1)
    redis.call('HSET', tk, pid .. '.delivery', 'delivered', pid .. '.delivered_ms', ARGV[7])
  end
  audit(main and 'delivered' or 'reminder_delivered')
  return 'ok'
end
audit(outcome == 'failed' and 'delivery_failed' or 'delivery_retry')
if not main then
  if outcome == 'failed' then redis.call('ZREM', KEYS[2], m) else redis.call('ZADD', KEYS[2], ARGV[6], m) end
  return 'ok'
end
redis.call('HINCRBY', tk, pid .. '.attempts', 1)
local first = tonumber(redis.call('HGET', tk, pid .. '.first_ms'))
if not first then first = now; redis.call('HSET', tk, pid .. '.first_ms', ARGV[7]) end
local late = now - first >= tonumber(ARGV[11]) and redis.call('HGET', tk, pid .. '.alerted') ~= '1'
if outcome == 'failed' or late then
  if ARGV[12] == '1' and redis.call('HGET', tk, pid .. '.via') ~= 'fallback' then
    redis.call('HSET', tk, pid .. '.via', 'fallback', pid .. '.first_ms', ARGV[7], pid .. '.delivery', 'fallback')
    redis.call('ZADD', KEYS[2], ARGV[7], m)
    audit('fallback')
    return 'fallback'
  end
  audit('undeliverable')
  if uk then redis.call('ZADD', uk, now, id) end
  if outcome == 'failed' then
    redis.call('HSET', tk, pid .. '.delivery', 'failed')
    redis.call('ZREM', KEYS[2], m)
    return 'failed'
  end
  redis.call('HSET', tk, pid .. '.alerted', '1', pid .. '.delivery', 'undeliverable')
  redis.call('ZADD', KEYS[2], ARGV[6], m)
  return 'alert'
end
redis.call('ZADD', KEYS[2], ARGV[6], m)
return 'ok'
