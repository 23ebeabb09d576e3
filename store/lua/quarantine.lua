-- QUARANTINE
--   KEYS  1 quarantine stream, 2 quarantined set, 3 tasks, 4 audit
--   ARGV  prefix, school day ("<school>|<date>", or "*" for all), action
--         (release|discard), now ms, window hours
--   Releases (back to the tasks stream, marked released so the flood guard
--   lets them through) or discards the held tasks of a school day, and
--   lifts its quarantine. Returns the number of tasks handled.
--@include derived.lua
--@include check.lua
local bad = wrongtypes({{KEYS[1], 'stream'}, {KEYS[2], 'set'}, {KEYS[3], 'stream'}, {KEYS[4], 'stream'}})
if bad then return redis.error_reply(bad) end
local todo = {}
for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do
  local f = {}
  for k = 1, #e[2], 2 do f[e[2][k]] = e[2][k + 1] end
  if ARGV[2] == '*' or f.key == ARGV[2] then
    local t = decode(f.json)
    if ARGV[3] == 'release' and not t then
      return baddata('held task ' .. tostring(f.task) .. ' is unreadable: discard it')
    end
    todo[#todo + 1] = {e, f, t}
  end
end
local n = 0
for _, x in ipairs(todo) do
  local e, f, t = x[1], x[2], x[3]
  if ARGV[3] == 'release' then
    derived(KEYS[3], t, {id = t.id, kind = t.kind, released = '1', escalates = t.escalates,
            escalated_partner = t.escalated_partner, escalated_role = t.escalated_role,
            refers = t.refers}, f.roles, t.created_at, t.window_hours or ARGV[5])
  end
  redis.call('XDEL', KEYS[1], e[1])
  redis.call('XADD', KEYS[4], '*', 'event', ARGV[3] == 'release' and 'released' or 'discarded',
             'task', f.task or '', 'student', f.student or '', 'detail', f.key or '', 'at', ARGV[4])
  n = n + 1
end
if ARGV[2] == '*' then redis.call('DEL', KEYS[2]) else redis.call('SREM', KEYS[2], ARGV[2]) end
return n
