-- RESULT: the outcomes of a batch of finished deliveries, recorded in one atomic step (a crash
-- records all of them or none: an unrecorded member stays held in its outbox and is sent again,
-- with the same Idempotency-Key, after its hold).
--   KEYS  1 lease, 2 audit, then per delivery i (from 0): 3 + 3i outbox of the partner,
--         4 + 3i the task's record (<prefix>task:<the member's id>), 5 + 3i the partner's
--         undeliverable set ("undeliverable:<partner>": task ids whose delivery is
--         undeliverable or failed, removed when delivered; what the alert reads)
--   ARGV  token, prefix, undeliverable after ms, n, then per delivery: partner, member, outcome
--         (delivered|retry|failed), next attempt ms, now ms, detail, fields csv, legal basis
--         (both "" when the task's assigned audit entry holds the same), has fallback (0|1), via,
--         connector
--   Returns one reply per delivery, in order: "ok", "gone" (the record expired), "fallback"
--   (switched to the fallback connector), "alert" (not delivered in time, still retried),
--   "failed" (given up), or an error (BADARGS, WRONGTYPE) for a delivery that was not recorded
--   (the others are). A lost lease, an audit stream of the wrong type or arguments that do not
--   add up refuse the whole batch before anything is written.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE not held')
end
--@include check.lua
local NA = 11
local pre, after, n = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if not after or not n or n < 0 or #KEYS ~= 2 + 3 * n or #ARGV ~= 4 + NA * n then
  return badargs('undeliverable time, count, or the keys and arguments for it')
end
local e = wrongtype(KEYS[2], 'stream')
if e then return redis.error_reply(e) end

-- A batch names each partner's outbox and undeliverable set once per delivery: each key's type
-- is asked once. exists[i]: whether delivery i's record is there (its TYPE said so).
local seen, exists = {}, {}
local function keytype(key, want)
  if seen[key] == nil then seen[key] = wrongtype(key, want) or false end
  return seen[key] or nil
end

-- Checks one delivery before anything is written; returns an error reply or nil.
local function check(i)
  local a, k = 4 + NA * i, 2 + 3 * i
  local id = string.match(ARGV[a + 2], '^(.*)|%a+$')
  if not id or not tonumber(ARGV[a + 4]) or not tonumber(ARGV[a + 5]) then
    return badargs('member, next or now')
  end
  if KEYS[k + 2] ~= pre .. 'task:' .. id then return badargs('the task record key is not the member\'s') end
  local w = keytype(KEYS[k + 1], 'zset') or keytype(KEYS[k + 3], 'zset')
  if w then return redis.error_reply(w) end
  local t = redis.call('TYPE', KEYS[k + 2])['ok']
  if t ~= 'none' and t ~= 'hash' then
    return redis.error_reply('WRONGTYPE ' .. KEYS[k + 2] .. ' holds a ' .. t .. ', not a hash')
  end
  exists[i] = t == 'hash'
end

-- Records one checked delivery; returns its reply.
local function record(i)
  local a, k = 4 + NA * i, 2 + 3 * i
  local pid, m, outcome, at = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 5]
  local now = tonumber(at)
  local id, kind = string.match(m, '^(.*)|(%a+)$')
  local ob, tk, uk = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3]
  -- a task and an update of a case are assignments; a reminder is not
  local main = kind == 'task' or kind == 'update'
  -- (an earlier delivery of the batch never removes a record)
  if not exists[i] then
    redis.call('ZREM', ob, m)
    redis.call('ZREM', uk, id)
    return 'gone'
  end
  local v = redis.call('HMGET', tk, 'student', pid .. '.attempts')
  local student = v[1] or ''
  -- an attempts counter that is no number counts from 0 again
  if v[2] and not isint(v[2]) then
    redis.call('HSET', tk, pid .. '.attempts', 0)
  end
  -- the fields of ACCEPT's assigned entries, in their order (names stored
  -- once per stream node); fields and legal basis empty when the caller
  -- knows the assigned entry holds the same (readers take them from there)
  local function audit(event)
    redis.call('XADD', KEYS[2], '*', 'event', event, 'task', id, 'partner', pid, 'role', '',
               'student', student, 'fields', ARGV[a + 7], 'legal_basis', ARGV[a + 8], 'case', '',
               'kind', kind, 'case_event', '', 'connector', ARGV[a + 11], 'via', ARGV[a + 10],
               'detail', ARGV[a + 6], 'at', at)
  end
  if outcome == 'delivered' then
    redis.call('ZREM', ob, m)
    if main then
      redis.call('ZREM', uk, id)
      -- ".attempts" counts the failed ones (absent: none); the delivery
      -- itself, and its time, is in the audit ("delivered")
      redis.call('HSET', tk, pid .. '.delivery', 'delivered')
    end
    audit(main and 'delivered' or 'reminder_delivered')
    return 'ok'
  end
  audit(outcome == 'failed' and 'delivery_failed' or 'delivery_retry')
  if not main then
    if outcome == 'failed' then redis.call('ZREM', ob, m) else redis.call('ZADD', ob, ARGV[a + 4], m) end
    return 'ok'
  end
  redis.call('HINCRBY', tk, pid .. '.attempts', 1)
  local first = tonumber(redis.call('HGET', tk, pid .. '.first_ms'))
  if not first then first = now; redis.call('HSET', tk, pid .. '.first_ms', at) end
  local late = now - first >= after and redis.call('HGET', tk, pid .. '.alerted') ~= '1'
  if outcome == 'failed' or late then
    if ARGV[a + 9] == '1' and redis.call('HGET', tk, pid .. '.via') ~= 'fallback' then
      redis.call('HSET', tk, pid .. '.via', 'fallback', pid .. '.first_ms', at, pid .. '.delivery', 'fallback')
      redis.call('ZADD', ob, at, m)
      audit('fallback')
      return 'fallback'
    end
    audit('undeliverable')
    redis.call('ZADD', uk, now, id)
    if outcome == 'failed' then
      redis.call('HSET', tk, pid .. '.delivery', 'failed')
      redis.call('ZREM', ob, m)
      return 'failed'
    end
    redis.call('HSET', tk, pid .. '.alerted', '1', pid .. '.delivery', 'undeliverable')
    redis.call('ZADD', ob, ARGV[a + 4], m)
    return 'alert'
  end
  redis.call('ZADD', ob, ARGV[a + 4], m)
  return 'ok'
end

local errs, out = {}, {}
for i = 0, n - 1 do errs[i] = check(i) end
for i = 0, n - 1 do out[i + 1] = errs[i] or record(i) end
return out
