-- ACCEPT
--   KEYS  1 lease, 2 tasks, 3 due, 4 audit, 5 quarantine, 6 quarantined,
--         then per entry: its task record ("task:<id>"), its school day's
--         counts ("daily:<signal date>"), and per assignment: the partner's
--         outbox ("outbox:<partner>") and open tasks ("open:<partner>"), and
--         for an assignment with a case also "cases:<partner>",
--         "caseset:<partner>", "caseopen:<partner>", "caseprog:<partner>",
--         the case the index names now and its items
--         ("case:<current id>", "caseitems:<current id>"; "case:" and
--         "caseitems:" for none) and the case it would open and its items
--         ("case:<new id>", "caseitems:<new id>")
--   ARGV  token, group, now ms, record ttl ms, n, then per entry:
--         stream id, task id, record JSON, student, partners (csv), roles
--         (csv), school, signal date, flood limit (0 none), released (1: out
--         of quarantine), JSON form ("names": its member names are already
--         one byte each, as record.lua keeps them, which the dispatcher does
--         (store/recordjson.c) so that the script need not; "plain": as it
--         is), nassign,
--         (partner, role, due ms, remind ms or 0, legal basis, fields csv,
--         case "<mode>|<topic>|<idle ms>" or "" for none, current case id,
--         new case id)..., nunrouted, role...
--   The case ids (and so their keys) are what the partner's case index
--   names and what derived_id gives for the task: the dispatcher derives the
--   new one as this script does (store/caseid.c) and guesses the current one
--   from the replies before (daemon/caseguess.c). When one passed is not the
--   one ACCEPT would use, it writes nothing and returns {"CASES", {current
--   id, new id}...} (one pair per assignment with a case, in order), and the
--   caller sends ACCEPT again with those.
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
--   Returns {tasks created, {school days newly quarantined...}, tasks held,
--   {case id...}}: per assignment with a case, in order, the case it joined
--   or opened, which the index now names ("" for an entry that was not
--   fresh: nothing changed). The dispatcher keeps them to pass the right
--   case ids at its next call (daemon/caseguess.c), which then needs no
--   second round.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE not held')
end
--@include check.lua
--@include derived.lua
--@include cases.lua
--@include record.lua
local now = ARGV[3]
if not tonumber(now) or not tonumber(ARGV[4]) or not tonumber(ARGV[5]) then
  return badargs('now, ttl or count')
end
local keys = {{KEYS[2], 'stream'}, {KEYS[3], 'zset'}, {KEYS[4], 'stream'},
  {KEYS[5], 'stream'}, {KEYS[6], 'set'}}
local e = wrongtypes(keys)
if e then return redis.error_reply(e) end
-- The keys come in ARGV's order (nextkey); the case keys are checked against
-- what the case index names, simulating the batch's own changes to it.
local kn = 6
local function nextkey() kn = kn + 1; return KEYS[kn] end
local sim_idx, sim_open, sim_tasks, sim_q, ids, stale = {}, {}, {}, {}, {}, false
local i = 6
for _ = 1, tonumber(ARGV[5]) do
  if i + 11 > #ARGV then return badargs('an entry is cut short') end
  local id, student = ARGV[i + 1], ARGV[i + 3]
  local school, date, limit = ARGV[i + 6], ARGV[i + 7], tonumber(ARGV[i + 8])
  local na = tonumber(ARGV[i + 11])
  if not limit or not na or not string.match(ARGV[i], '^%d+%-%d+$') or
     (ARGV[i + 10] ~= 'names' and ARGV[i + 10] ~= 'plain') then
    return badargs('entry at ' .. i)
  end
  local tk, dk = nextkey(), nextkey()
  if not dk then return badargs('keys cut short at ' .. i) end
  e = wrongtypes({{tk, 'hash'}})
  if e then return redis.error_reply(e) end
  local fresh = not sim_tasks[id] and redis.call('EXISTS', tk) == 0
  if limit > 0 and school ~= '' and date ~= '' then
    e = wrongtype(dk, 'hash')
    if e then return redis.error_reply(e) end
    local v = redis.call('HGET', dk, 's:' .. school)
    if v and not isint(v) then return baddata(dk .. ' holds a count that is not a number') end
    if fresh and ARGV[i + 9] ~= '1' then
      local qk = school .. '|' .. date
      if sim_q[qk] or redis.call('SISMEMBER', KEYS[6], qk) == 1 or tonumber(v or '0') > limit then
        sim_q[qk], fresh = true, false
      end
    end
  end
  if fresh then sim_tasks[id] = true end
  i = i + 12
  if i + 9 * na > #ARGV then return badargs('assignments cut short') end
  for _ = 1, na do
    if not tonumber(ARGV[i + 2]) or not tonumber(ARGV[i + 3]) then
      return badargs('assignment at ' .. i)
    end
    keys[#keys + 1] = {nextkey(), 'zset'}
    keys[#keys + 1] = {nextkey(), 'zset'}
    if ARGV[i + 6] ~= '' then
      local mode, topic, idle = string.match(ARGV[i + 6], '^(%a+)|(%a+)|(%d+)$')
      if not mode or (mode ~= 'case' and mode ~= 'separate') then
        return badargs('case at ' .. i)
      end
      local kcases, kset, kopen, kprog, kcur, kcuritems, knew, knewitems =
        nextkey(), nextkey(), nextkey(), nextkey(), nextkey(), nextkey(), nextkey(), nextkey()
      if not knewitems then return badargs('keys cut short at ' .. i) end
      e = wrongtypes({{kcases, 'hash'}, {kset, 'zset'}, {kopen, 'zset'}, {kprog, 'zset'}})
      if e then return redis.error_reply(e) end
      keys[#keys + 1] = {kcur, 'hash'}
      keys[#keys + 1] = {knew, 'hash'}
      local want_cur, want_new = '', ''
      if fresh then
        local field = ARGV[i] .. '|' .. student .. '|' .. topic
        local cur = sim_idx[field]
        if cur == nil then cur = redis.call('HGET', kcases, student .. '|' .. topic) or false end
        want_cur, want_new = cur or '', derived_id('case|' .. id .. '|' .. ARGV[i])
        local known = want_cur == ARGV[i + 7] and want_new == ARGV[i + 8]
        if not known then stale = true end
        -- the case the index names after this assignment
        local keep = false
        if cur and sim_open[cur] then
          keep = true
        elseif cur and known then
          e = wrongtype(kcur, 'hash')
          if e then return redis.error_reply(e) end
          local c = redis.call('HMGET', kcur, 'state', 'last_ack_ms', 'last_signal_ms')
          keep = c[1] and c[1] ~= 'closed'
          if keep and c[1] == 'in_progress' and tonumber(idle) > 0 then
            keep = tonumber(now) - math.max(tonumber(c[2]) or 0, tonumber(c[3]) or 0) < tonumber(idle)
          end
        elseif cur then
          keep = true -- unknown until ACCEPT runs with its key: assumed open
        end
        if not keep then
          sim_idx[field], sim_open[want_new] = want_new, true
        end
      else
        want_cur, want_new = ARGV[i + 7], ARGV[i + 8]
      end
      ids[#ids + 1] = want_cur
      ids[#ids + 1] = want_new
    end
    i = i + 9
  end
  local nu = tonumber(ARGV[i])
  if not nu or i + nu > #ARGV then return badargs('unrouted roles at ' .. i) end
  i = i + 1 + nu
end
if i - 1 ~= #ARGV then return badargs('arguments left over') end
if kn ~= #KEYS then return badargs('keys do not match the entries (' .. #KEYS .. ' given, ' .. kn .. ' needed)') end
e = wrongtypes(keys)
if e then return redis.error_reply(e) end
if stale then return {'CASES', ids} end
local created, held, newly, landed, ncase = 0, 0, {}, {}, 0
local function extend(t, list)
  for _, v in ipairs(list) do t[#t + 1] = v end
end
kn = 6
i = 6
for _ = 1, tonumber(ARGV[5]) do
  local eid, id, json, student, plist = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local roles, school, date, limit, released = ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], tonumber(ARGV[i + 8]), ARGV[i + 9]
  local form, na = ARGV[i + 10], tonumber(ARGV[i + 11]); i = i + 12
  local tk, dk = nextkey(), nextkey()
  local fresh = redis.call('EXISTS', tk) == 0
  if fresh and released ~= '1' and limit > 0 and school ~= '' and date ~= '' then
    local qk = school .. '|' .. date
    local hold = redis.call('SISMEMBER', KEYS[6], qk) == 1
    if not hold and tonumber(redis.call('HGET', dk, 's:' .. school) or '0') > limit then
      hold = true
      redis.call('SADD', KEYS[6], qk)
      newly[#newly + 1] = qk
    end
    if hold then
      -- held as a task entry is: with its names written out
      local plain = form == 'names' and json_written_out(json) or json
      redis.call('XADD', KEYS[5], '*', 'key', qk, 'task', id, 'json', plain, 'roles', roles, 'student', student)
      redis.call('XADD', KEYS[4], '*', 'event', 'quarantined', 'task', id, 'student', student, 'detail', qk, 'at', now)
      fresh = false
      held = held + 1
    end
  end
  -- the record's fields, written in one HSET after its assignments'
  local rec
  if fresh then
    rec = {'student', student, 'partners', plist, 'created_ms', now}
    extend(rec, task_json_fields(json, form == 'names'))
    created = created + 1
  end
  for _ = 1, na do
    local pid, role, due, remind = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
    local kout, kopen = nextkey(), nextkey()
    local cid, update, how, topic = nil, false, nil, nil
    if ARGV[i + 6] ~= '' then
      local k = {}
      k.cases, k.caseset, k.caseopen, k.caseprog, k.cur, k.curitems, k.new, k.newitems =
        nextkey(), nextkey(), nextkey(), nextkey(), nextkey(), nextkey(), nextkey(), nextkey()
      ncase = ncase + 1
      if fresh then
        -- the current case is the one checked above (ids: what the index
        -- names at this point of the batch)
        cid, update, how, topic = case_place(k, pid, student, ARGV[i + 6], id, now, KEYS[4], ARGV[4], due,
                                             ARGV[i + 8], ids[2 * ncase - 1])
      end
      landed[#landed + 1] = cid or ''
    end
    if fresh and update then
      extend(rec, {pid .. '.state', 'update', pid .. '.role', role, pid .. '.case', cid,
                   pid .. '.delivery', 'pending'})
      redis.call('ZADD', kout, now, id .. '|update')
      redis.call('XADD', KEYS[4], '*', 'event', 'assigned', 'task', id, 'partner', pid, 'role', role,
                 'student', student, 'fields', ARGV[i + 5], 'legal_basis', ARGV[i + 4], 'case', cid,
                 'kind', 'update', 'case_event', '', 'connector', '', 'via', '', 'detail', '', 'at', now)
    elseif fresh then
      extend(rec, {pid .. '.state', 'open', pid .. '.role', role, pid .. '.due', due,
                   pid .. '.delivery', 'pending'})
      if cid then extend(rec, {pid .. '.case', cid}) end
      redis.call('ZADD', kout, now, id .. '|task')
      -- one due entry: at the reminder's time first (DUE then moves it to
      -- the due time), at the due time with no reminder
      redis.call('ZADD', KEYS[3], remind ~= '0' and remind or due, 'due|' .. id .. '|' .. pid)
      redis.call('ZADD', kopen, due, id)
      -- every assigned entry has the same fields in the same order (empty
      -- when they say nothing), and so have RESULT's delivery entries, so
      -- that Redis stores their names once per stream node rather than in
      -- each entry (about 90 bytes an entry)
      redis.call('XADD', KEYS[4], '*', 'event', 'assigned', 'task', id, 'partner', pid, 'role', role,
                 'student', student, 'fields', ARGV[i + 5], 'legal_basis', ARGV[i + 4],
                 'case', cid or '', 'kind', '', 'case_event', how or '', 'connector', '', 'via', '',
                 'detail', how == 'opened' and topic or '', 'at', now)
    end
    i = i + 9
  end
  if fresh then
    redis.call('HSET', tk, unpack(rec))
    redis.call('PEXPIRE', tk, ARGV[4])
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
return {created, newly, held, landed}
