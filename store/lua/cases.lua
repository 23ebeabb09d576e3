-- Cases (docs/partners.md section "Cases"), shared by ACCEPT and ACK.
-- Keys (docs/redis-keys.md): "cases:<partner>" hash "<student>|<topic>" ->
-- the open case's id; "case:<id>" hash, the case, with its items
-- "<task id>|<kind>" in order as fields "i1".."i<items>" (a case opened
-- before keeps them in the list "caseitems:<id>"); "caseset:<partner>" sorted set of the
-- partner's case ids by opening time; "caseopen:<partner>" sorted set of
-- the open cases by their task's due ms and "caseprog:<partner>" of the
-- in-progress cases by last activity ms (what the counts read with ZCOUNT,
-- store/lua/caseread.lua; trimmed with the cases index, store/lua/trim.lua).
-- Every case key expires ttl ms after it was last touched, like the task
-- records. The callers pass every key (KEYS of the script): kopen
-- "caseopen:<partner>", kprog "caseprog:<partner>", kcase "case:<cid>",
-- kitems "caseitems:<cid>", kcases "cases:<partner>".

-- Files case cid under its state in the per-state sets (score: the open
-- case's due ms, or the in-progress case's last activity ms); any other
-- state takes it out of both.
local function case_index(ok, pk, cid, state, score)
  if state == 'open' then
    redis.call('ZADD', ok, score, cid)
    redis.call('ZREM', pk, cid)
  elseif state == 'in_progress' then
    redis.call('ZREM', ok, cid)
    redis.call('ZADD', pk, score, cid)
  else
    redis.call('ZREM', ok, cid)
    redis.call('ZREM', pk, cid)
  end
end
-- Appends item "<task id>|<kind>" to case cid: in the case hash (a few
-- dozen bytes) rather than a list key of its own (about 220 bytes a case),
-- or to the "caseitems" list of a case opened before.
local function case_item(kk, kitems, item)
  if redis.call('HEXISTS', kk, 'items') == 1 then
    local n = redis.call('HINCRBY', kk, 'items', 1)
    redis.call('HSET', kk, 'i' .. n, item)
  else
    redis.call('RPUSH', kitems, item)
  end
end
local function case_touch(kcase, kitems, ttl)
  redis.call('PEXPIRE', kcase, ttl)
  redis.call('PEXPIRE', kitems, ttl)
end
local function case_close(kcase, kcases, kopen, kprog, cid, pid, student, topic, how, now, audit)
  redis.call('HSET', kcase, 'state', 'closed', 'closed_ms', now, 'closed_by', how)
  case_index(kopen, kprog, cid, 'closed')
  local ck = kcases
  if redis.call('HGET', ck, student .. '|' .. topic) == cid then
    redis.call('HDEL', ck, student .. '|' .. topic)
  end
  redis.call('XADD', audit, '*', 'event', 'case_closed', 'case', cid, 'partner', pid, 'student', student,
             'detail', how, 'at', now)
end
-- Places assignment of task id for partner pid in its case (spec
-- "<mode>|<topic>|<idle ms>"; due: the assignment's due ms, a new case's
-- due): returns the case id, whether the
-- assignment is an update of an open case (true) or a task (false), and
-- for a task "opened" (it opened the case) or "linked" (a separate task
-- linked to the open case) with the topic. The caller's "assigned" audit
-- entry says so (no audit entry of its own: the facts would be written
-- twice); only closing an idle case writes one here.
-- k holds the keys: cases, caseset, caseopen, caseprog (the partner's), cur
-- and curitems (the case the index names now), new and newitems (the case
-- newid opens). cur is the id the index names now ("": none), which the
-- caller has checked.
local function case_place(k, pid, student, spec, id, now, audit, ttl, due, newid, cur)
  local mode, topic, idle = string.match(spec, '^(%a+)|(%a+)|(%d+)$')
  local ck = k.cases
  local field = student .. '|' .. topic
  local cid = cur ~= '' and cur
  local state
  if cid then
    local c = redis.call('HMGET', k.cur, 'state', 'last_ack_ms', 'last_signal_ms')
    state = c[1]
    if not c[1] or c[1] == 'closed' then
      redis.call('HDEL', ck, field)
      case_index(k.caseopen, k.caseprog, cid, 'closed')
      cid = nil
    elseif c[1] == 'in_progress' and tonumber(idle) > 0 then
      local last = math.max(tonumber(c[2]) or 0, tonumber(c[3]) or 0)
      if tonumber(now) - last >= tonumber(idle) then
        case_close(k.cur, ck, k.caseopen, k.caseprog, cid, pid, student, topic, 'idle', now, audit)
        cid = nil
      end
    end
  end
  if cid then
    local kk = k.cur
    redis.call('HSET', kk, 'last_signal_ms', now)
    if state == 'in_progress' then case_index(k.caseopen, k.caseprog, cid, 'in_progress', now) end
    local update = mode ~= 'separate'
    redis.call('HINCRBY', kk, update and 'updates' or 'tasks', 1)
    case_item(kk, k.curitems, id .. '|' .. (update and 'update' or 'task'))
    case_touch(kk, k.curitems, ttl)
    return cid, update, 'linked', topic
  end
  cid = newid
  redis.call('HSET', k.new, 'id', cid, 'partner', pid, 'student', student, 'topic', topic,
             'state', 'open', 'task', id, 'opened_ms', now, 'last_signal_ms', now, 'tasks', 1,
             'updates', 0, 'items', 1, 'i1', id .. '|task')
  redis.call('HSET', ck, field, cid)
  case_index(k.caseopen, k.caseprog, cid, 'open', due)
  redis.call('ZADD', k.caseset, now, cid)
  -- cases opened longer ago than the retention have expired (or soon will)
  redis.call('ZREMRANGEBYSCORE', k.caseset, '-inf', '(' .. (tonumber(now) - tonumber(ttl)))
  -- its items are in the hash: no list to keep
  redis.call('PEXPIRE', k.new, ttl)
  return cid, false, 'opened', topic
end
