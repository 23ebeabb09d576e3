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
-- records.

-- Files case cid under its state in the per-state sets (score: the open
-- case's due ms, or the in-progress case's last activity ms); any other
-- state takes it out of both.
local function case_index(pre, pid, cid, state, score)
  local ok, pk = pre .. 'caseopen:' .. pid, pre .. 'caseprog:' .. pid
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
local function case_item(pre, cid, item)
  local kk = pre .. 'case:' .. cid
  if redis.call('HEXISTS', kk, 'items') == 1 then
    local n = redis.call('HINCRBY', kk, 'items', 1)
    redis.call('HSET', kk, 'i' .. n, item)
  else
    redis.call('RPUSH', pre .. 'caseitems:' .. cid, item)
  end
end
local function case_touch(pre, cid, pid, ttl)
  redis.call('PEXPIRE', pre .. 'case:' .. cid, ttl)
  redis.call('PEXPIRE', pre .. 'caseitems:' .. cid, ttl)
end
local function case_close(pre, cid, pid, student, topic, how, now, audit)
  redis.call('HSET', pre .. 'case:' .. cid, 'state', 'closed', 'closed_ms', now, 'closed_by', how)
  case_index(pre, pid, cid, 'closed')
  local ck = pre .. 'cases:' .. pid
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
local function case_place(pre, pid, student, spec, id, now, audit, ttl, due)
  local mode, topic, idle = string.match(spec, '^(%a+)|(%a+)|(%d+)$')
  local ck = pre .. 'cases:' .. pid
  local field = student .. '|' .. topic
  local cid = redis.call('HGET', ck, field)
  local state
  if cid then
    local c = redis.call('HMGET', pre .. 'case:' .. cid, 'state', 'last_ack_ms', 'last_signal_ms')
    state = c[1]
    if not c[1] or c[1] == 'closed' then
      redis.call('HDEL', ck, field)
      case_index(pre, pid, cid, 'closed')
      cid = nil
    elseif c[1] == 'in_progress' and tonumber(idle) > 0 then
      local last = math.max(tonumber(c[2]) or 0, tonumber(c[3]) or 0)
      if tonumber(now) - last >= tonumber(idle) then
        case_close(pre, cid, pid, student, topic, 'idle', now, audit)
        cid = nil
      end
    end
  end
  if cid then
    local kk = pre .. 'case:' .. cid
    redis.call('HSET', kk, 'last_signal_ms', now)
    if state == 'in_progress' then case_index(pre, pid, cid, 'in_progress', now) end
    local update = mode ~= 'separate'
    redis.call('HINCRBY', kk, update and 'updates' or 'tasks', 1)
    case_item(pre, cid, id .. '|' .. (update and 'update' or 'task'))
    case_touch(pre, cid, pid, ttl)
    return cid, update, 'linked', topic
  end
  cid = derived_id('case|' .. id .. '|' .. pid)
  redis.call('HSET', pre .. 'case:' .. cid, 'id', cid, 'partner', pid, 'student', student, 'topic', topic,
             'state', 'open', 'task', id, 'opened_ms', now, 'last_signal_ms', now, 'tasks', 1,
             'updates', 0, 'items', 1, 'i1', id .. '|task')
  redis.call('HSET', ck, field, cid)
  case_index(pre, pid, cid, 'open', due)
  redis.call('ZADD', pre .. 'caseset:' .. pid, now, cid)
  -- cases opened longer ago than the retention have expired (or soon will)
  redis.call('ZREMRANGEBYSCORE', pre .. 'caseset:' .. pid, '-inf', '(' .. (tonumber(now) - tonumber(ttl)))
  case_touch(pre, cid, pid, ttl)
  return cid, false, 'opened', topic
end
