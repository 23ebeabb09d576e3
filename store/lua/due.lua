-- DUE
--   KEYS  1 lease, 2 due, 3 tasks, 4 audit, then for each item in ARGV its
--         task record ("task:<id>") and the partner's outbox
--         ("outbox:<partner>"); any declared keys for an item of no known form
--   ARGV  token, now ms, now (RFC 3339), window hours, item...
--   The caller reads the items that have come first (ZRANGEBYSCORE due
--   -inf now LIMIT 0 limit) and passes them with their keys, so that every
--   key is declared; an item no longer in "due" or no longer due (a change
--   between the two steps) is passed over.
--   Fires the reminders and due times that have come: a reminder goes to
--   the partner's outbox. An assignment has one item "due|<id>|<partner>",
--   scored by its reminder's time first: while the assignment's due time
--   ("<partner>.due") is still ahead it is the reminder, and the item is
--   scored again by the due time (no reminder once that has passed). Items
--   "remind|<id>|<partner>" (written before 2026-11-30) are reminders. An
--   assignment still open when due becomes
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
local now = ARGV[2]
if not tonumber(now) then return badargs('now') end
if #KEYS ~= 4 + 2 * (#ARGV - 4) then return badargs('two keys per item') end
local e = wrongtypes({{KEYS[2], 'zset'}, {KEYS[3], 'stream'}, {KEYS[4], 'stream'}})
if e then return redis.error_reply(e) end
local keys = {}
for j = 5, #ARGV do
  if string.match(ARGV[j], '^(%a+)|([^|]+)|(.+)$') then
    keys[#keys + 1] = {KEYS[2 * j - 5], 'hash'}
    keys[#keys + 1] = {KEYS[2 * j - 4], 'zset'}
  end
end
e = wrongtypes(keys)
if e then return redis.error_reply(e) end
local partners, nesc, handled = {}, 0, 0
for j = 5, #ARGV do
  local m = ARGV[j]
  local score = tonumber(redis.call('ZSCORE', KEYS[2], m))
  if score and score <= tonumber(now) then
    handled = handled + 1
    redis.call('ZREM', KEYS[2], m)
    local what, id, pid = string.match(m, '^(%a+)|([^|]+)|(.+)$')
    local v = {}
-- an item of no known form is dropped
    if what then
      v = redis.call('HMGET', KEYS[2 * j - 5], 'json', pid .. '.state', 'student', pid .. '.role',
                     pid .. '.due')
      v[1] = task_json(KEYS[2 * j - 5], v[1])
      v[3], v[4] = v[3] or '', v[4] or ''
    end
    local tk = KEYS[2 * j - 5]
    local due_ms = v[5] and tonumber(v[5])
    if v[1] and v[2] == 'open' then
      if what == 'remind' or (what == 'due' and due_ms and due_ms > tonumber(now)) then
        redis.call('ZADD', KEYS[2 * j - 4], now, id .. '|reminder')
        redis.call('XADD', KEYS[4], '*', 'event', 'reminder', 'task', id, 'partner', pid, 'student', v[3], 'at', now)
        partners[#partners + 1] = pid
        if what == 'due' then redis.call('ZADD', KEYS[2], due_ms, m) end
      else
        redis.call('HSET', tk, pid .. '.state', 'overdue')
        local t = decode(v[1])
-- unreadable: overdue, but no escalation to build
        local esc = ''
        if t and t.kind ~= 'escalation' and v[4] ~= 'escalation' then
          esc = derived_id('escalation|' .. id .. '|' .. pid)
          derived(KEYS[3], t, {id = esc, kind = 'escalation', escalates = id, escalated_partner = pid,
                  escalated_role = v[4]}, 'escalation', ARGV[3], ARGV[4])
          nesc = nesc + 1
        end
        redis.call('XADD', KEYS[4], '*', 'event', 'overdue', 'task', id, 'partner', pid, 'student', v[3],
                   'escalation', esc, 'at', now, 'detail', t and '' or 'task record unreadable')
      end
    end
  end
end
return {handled, partners, nesc}
