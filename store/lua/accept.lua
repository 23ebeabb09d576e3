-- ACCEPT
--   KEYS  1 lease, 2 tasks, 3 due, 4 audit
--   ARGV  token, group, prefix, now ms, record ttl ms, n, then per entry:
--         stream id, task id, record JSON, student, partners (csv), roles
--         (csv), school, signal date, flood limit (0 none), released (1: out
--         of quarantine), nassign,
--         (partner, role, due ms, remind ms or 0, legal basis, fields csv,
--         case "<mode>|<topic>|<idle ms>" or "" for none)..., nunrouted, role...
--   Cases (docs/partners.md): an assignment with mode "case" for a
--   (student, partner, topic) whose case is open becomes an update of it
--   (delivered, no due time, reminder or escalation); otherwise it opens a
--   case and is its task. Mode "separate" is always a task, linked to the
--   open case or opening one. A case acknowledged with an in-progress
--   outcome and then idle (no signal, no acknowledgement) for idle ms is
--   closed ("idle") when the next signal comes, which opens a new one.
--   A task seen before (a re-read entry) is only acknowledged again. The
--   flood guard: when the tasks of the entry's school on its signal date
--   (counted by COMMIT in "<daily>:<date>") exceed the limit, that school
--   day is quarantined (SADD "quarantined") and its new tasks go to the
--   "quarantine" stream instead of to partners, until an operator releases
--   or discards them (QUARANTINE).
--   Returns {tasks created, {school days newly quarantined...}, tasks held}.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE not held')
end
--@include check.lua
--@include derived.lua
--@include cases.lua
--@include record.lua
local pre, now = ARGV[3], ARGV[4]
if not tonumber(now) or not tonumber(ARGV[5]) or not tonumber(ARGV[6]) then
  return badargs('now, ttl or count')
end
local keys = {{KEYS[2], 'stream'}, {KEYS[3], 'zset'}, {KEYS[4], 'stream'},
  {pre .. 'quarantine', 'stream'}, {pre .. 'quarantined', 'set'}}
local e = wrongtypes(keys)
if e then return redis.error_reply(e) end
local i = 7
for _ = 1, tonumber(ARGV[6]) do
  if i + 10 > #ARGV then return badargs('an entry is cut short') end
  local school, date, limit = ARGV[i + 6], ARGV[i + 7], tonumber(ARGV[i + 8])
  local na = tonumber(ARGV[i + 10])
  if not limit or not na or not string.match(ARGV[i], '^%d+%-%d+$') then
    return badargs('entry at ' .. i)
  end
  keys[#keys + 1] = {pre .. 'task:' .. ARGV[i + 1], 'hash'}
  if limit > 0 and school ~= '' and date ~= '' then
    local dk = pre .. 'daily:' .. date
    e = wrongtype(dk, 'hash')
    if e then return redis.error_reply(e) end
    local v = redis.call('HGET', dk, 's:' .. school)
    if v and not isint(v) then return baddata(dk .. ' holds a count that is not a number') end
  end
  i = i + 11
  if i + 7 * na > #ARGV then return badargs('assignments cut short') end
  for _ = 1, na do
    if not tonumber(ARGV[i + 2]) or not tonumber(ARGV[i + 3]) then
      return badargs('assignment at ' .. i)
    end
    keys[#keys + 1] = {pre .. 'outbox:' .. ARGV[i], 'zset'}
    keys[#keys + 1] = {pre .. 'open:' .. ARGV[i], 'zset'}
    if ARGV[i + 6] ~= '' then
      local mode, topic, idle = string.match(ARGV[i + 6], '^(%a+)|(%a+)|(%d+)$')
      if not mode or (mode ~= 'case' and mode ~= 'separate') then
        return badargs('case at ' .. i)
      end
      keys[#keys + 1] = {pre .. 'cases:' .. ARGV[i], 'hash'}
      keys[#keys + 1] = {pre .. 'caseset:' .. ARGV[i], 'zset'}
      keys[#keys + 1] = {pre .. 'caseopen:' .. ARGV[i], 'zset'}
      keys[#keys + 1] = {pre .. 'caseprog:' .. ARGV[i], 'zset'}
      local cur = redis.call('TYPE', pre .. 'cases:' .. ARGV[i]).ok == 'hash' and
        redis.call('HGET', pre .. 'cases:' .. ARGV[i], ARGV[i + 1] .. '|' .. topic)
      if cur then keys[#keys + 1] = {pre .. 'case:' .. cur, 'hash'} end
    end
    i = i + 7
  end
  local nu = tonumber(ARGV[i])
  if not nu or i + nu > #ARGV then return badargs('unrouted roles at ' .. i) end
  i = i + 1 + nu
end
if i - 1 ~= #ARGV then return badargs('arguments left over') end
e = wrongtypes(keys)
if e then return redis.error_reply(e) end
local created, held, newly = 0, 0, {}
i = 7
for _ = 1, tonumber(ARGV[6]) do
  local eid, id, json, student, plist = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local roles, school, date, limit, released = ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], tonumber(ARGV[i + 8]), ARGV[i + 9]
  local na = tonumber(ARGV[i + 10]); i = i + 11
  local tk = pre .. 'task:' .. id
  local fresh = redis.call('EXISTS', tk) == 0
  if fresh and released ~= '1' and limit > 0 and school ~= '' and date ~= '' then
    local qk = school .. '|' .. date
    local hold = redis.call('SISMEMBER', pre .. 'quarantined', qk) == 1
    if not hold and tonumber(redis.call('HGET', pre .. 'daily:' .. date, 's:' .. school) or '0') > limit then
      hold = true
      redis.call('SADD', pre .. 'quarantined', qk)
      newly[#newly + 1] = qk
    end
    if hold then
      redis.call('XADD', pre .. 'quarantine', '*', 'key', qk, 'task', id, 'json', json, 'roles', roles, 'student', student)
      redis.call('XADD', KEYS[4], '*', 'event', 'quarantined', 'task', id, 'student', student, 'detail', qk, 'at', now)
      fresh = false
      held = held + 1
    end
  end
  if fresh then
    redis.call('HSET', tk, 'student', student, 'partners', plist, 'created_ms', now, unpack(task_json_fields(json)))
    redis.call('PEXPIRE', tk, ARGV[5])
    created = created + 1
  end
  for _ = 1, na do
    local pid, role, due, remind = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
    local cid, update, how, topic = nil, false, nil, nil
    if fresh and ARGV[i + 6] ~= '' then
      cid, update, how, topic = case_place(pre, pid, student, ARGV[i + 6], id, now, KEYS[4], ARGV[5], due)
    end
    if fresh and update then
      redis.call('HSET', tk, pid .. '.state', 'update', pid .. '.role', role, pid .. '.case', cid,
                 pid .. '.delivery', 'pending', pid .. '.attempts', 0, pid .. '.via', 'primary')
      redis.call('ZADD', pre .. 'outbox:' .. pid, now, id .. '|update')
      redis.call('XADD', KEYS[4], '*', 'event', 'assigned', 'task', id, 'partner', pid, 'role', role,
                 'student', student, 'fields', ARGV[i + 5], 'legal_basis', ARGV[i + 4], 'case', cid,
                 'kind', 'update', 'case_event', '', 'detail', '', 'at', now)
    elseif fresh then
      redis.call('HSET', tk, pid .. '.state', 'open', pid .. '.role', role, pid .. '.due', due,
                 pid .. '.delivery', 'pending', pid .. '.attempts', 0, pid .. '.via', 'primary')
      if cid then redis.call('HSET', tk, pid .. '.case', cid) end
      redis.call('ZADD', pre .. 'outbox:' .. pid, now, id .. '|task')
      redis.call('ZADD', KEYS[3], due, 'due|' .. id .. '|' .. pid)
      if remind ~= '0' then redis.call('ZADD', KEYS[3], remind, 'remind|' .. id .. '|' .. pid) end
      redis.call('ZADD', pre .. 'open:' .. pid, due, id)
      -- every assigned entry has the same fields in the same order (empty
      -- when they say nothing), so that Redis stores their names once per
      -- stream node rather than in each entry (about 60 bytes an entry)
      redis.call('XADD', KEYS[4], '*', 'event', 'assigned', 'task', id, 'partner', pid, 'role', role,
                 'student', student, 'fields', ARGV[i + 5], 'legal_basis', ARGV[i + 4],
                 'case', cid or '', 'kind', '', 'case_event', how or '',
                 'detail', how == 'opened' and topic or '', 'at', now)
    end
    i = i + 7
  end
  local nu = tonumber(ARGV[i]); i = i + 1
  for _ = 1, nu do
    if fresh then
      redis.call('XADD', KEYS[4], '*', 'event', 'unrouted', 'task', id, 'role', ARGV[i], 'student', student, 'at', now)
    end
    i = i + 1
  end
  redis.call('XACK', KEYS[2], ARGV[2], eid)
end
return {created, newly, held}
