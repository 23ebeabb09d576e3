-- DUE
--   KEYS  1 lease, 2 due, 3 tasks, 4 audit
--   ARGV  token, prefix, now ms, limit, now (RFC 3339), window hours
--   Fires the reminders and due times that have come: a reminder goes to
--   the partner's outbox; an assignment still open when due becomes
--   overdue and, unless it is itself an escalation or the escalation role's
--   own assignment, gets an escalation task
--   (XADD to the tasks stream, id derived from the task and the partner).
--   Returns {members handled, {partners with a reminder...}, escalations}.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE not held')
end
--@include derived.lua
--@include check.lua
--@include record.lua
local pre, now = ARGV[2], ARGV[3]
if not tonumber(now) or not tonumber(ARGV[4]) then return badargs('now or limit') end
local e = wrongtypes({{KEYS[2], 'zset'}, {KEYS[3], 'stream'}, {KEYS[4], 'stream'}})
if e then return redis.error_reply(e) end
local items = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, ARGV[4])
local keys = {}
for _, m in ipairs(items) do
  local what, id, pid = string.match(m, '^(%a+)|([^|]+)|(.+)$')
  if what then
    keys[#keys + 1] = {pre .. 'task:' .. id, 'hash'}
    keys[#keys + 1] = {pre .. 'outbox:' .. pid, 'zset'}
  end
end
e = wrongtypes(keys)
if e then return redis.error_reply(e) end
local partners, nesc = {}, 0
for _, m in ipairs(items) do
  redis.call('ZREM', KEYS[2], m)
  local what, id, pid = string.match(m, '^(%a+)|([^|]+)|(.+)$')
  local v = {}
-- an item of no known form is dropped
  if what then
    v = redis.call('HMGET', pre .. 'task:' .. id, 'json', pid .. '.state', 'student', pid .. '.role')
    v[1] = task_json(pre .. 'task:' .. id, v[1])
    v[3], v[4] = v[3] or '', v[4] or ''
  end
  local tk = what and pre .. 'task:' .. id
  if v[1] and v[2] == 'open' then
    if what == 'remind' then
      redis.call('ZADD', pre .. 'outbox:' .. pid, now, id .. '|reminder')
      redis.call('XADD', KEYS[4], '*', 'event', 'reminder', 'task', id, 'partner', pid, 'student', v[3], 'at', now)
      partners[#partners + 1] = pid
    else
      redis.call('HSET', tk, pid .. '.state', 'overdue')
      local t = decode(v[1])
-- unreadable: overdue, but no escalation to build
      local esc = ''
      if t and t.kind ~= 'escalation' and v[4] ~= 'escalation' then
        esc = derived_id('escalation|' .. id .. '|' .. pid)
        derived(KEYS[3], t, {id = esc, kind = 'escalation', escalates = id, escalated_partner = pid,
                escalated_role = v[4]}, 'escalation', ARGV[5], ARGV[6])
        nesc = nesc + 1
      end
      redis.call('XADD', KEYS[4], '*', 'event', 'overdue', 'task', id, 'partner', pid, 'student', v[3],
                 'escalation', esc, 'at', now, 'detail', t and '' or 'task record unreadable')
    end
  end
end
return {#items, partners, nesc}
