-- REQUEUE
--   KEYS  1 dead, 2 events
--   ARGV  reason ("" any), dead-letter stream id ("" any)
--   Puts matching dead letters' original fields back on the event stream
--   (a new entry) and deletes them from the dead letters, atomically.
--   Returns the number requeued.
--@include check.lua
local bad = wrongtypes({{KEYS[1], 'stream'}, {KEYS[2], 'stream'}})
if bad then return redis.error_reply(bad) end
local todo = {}
for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do
  local f, orig, reason = e[2], {}, nil
  for k = 1, #f, 2 do
    if f[k] == 'reason' then reason = f[k + 1] end
    if string.sub(f[k], 1, 6) == 'field.' then
      orig[#orig + 1] = string.sub(f[k], 7); orig[#orig + 1] = f[k + 1]
    end
  end
  if (ARGV[1] == '' or ARGV[1] == reason) and (ARGV[2] == '' or ARGV[2] == e[1]) and #orig > 0 then
    if #orig > 7000 then
      return baddata('dead letter ' .. e[1] .. ' has too many fields to requeue')
    end
    todo[#todo + 1] = {e[1], orig}
  end
end
for _, x in ipairs(todo) do
  redis.call('XADD', KEYS[2], '*', unpack(x[2]))
  redis.call('XDEL', KEYS[1], x[1])
end
return #todo
