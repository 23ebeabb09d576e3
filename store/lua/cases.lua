-- Cases (docs/partners.md section "Cases"), shared by ACCEPT and ACK.
-- Keys (docs/redis-keys.md): "cases:<partner>" hash "<student>|<topic>" ->
-- the open case's id; "case:<id>" hash, the case; "caseitems:<id>" list,
-- "<task id>|<kind>" in order; "caseset:<partner>" sorted set of the
-- partner's case ids by opening time. Every case key expires ttl ms after
-- it was last touched, like the task records. The callers pass every key
-- (KEYS of the script): kcase "case:<cid>", kitems "caseitems:<cid>",
-- kcases "cases:<partner>", kset "caseset:<partner>".
local function case_touch(kcase, kitems, ttl)
  redis.call('PEXPIRE', kcase, ttl)
  redis.call('PEXPIRE', kitems, ttl)
end
local function case_close(kcase, kcases, cid, pid, student, topic, how, now, audit)
  redis.call('HSET', kcase, 'state', 'closed', 'closed_ms', now, 'closed_by', how)
  local ck = kcases
  if redis.call('HGET', ck, student .. '|' .. topic) == cid then
    redis.call('HDEL', ck, student .. '|' .. topic)
  end
  redis.call('XADD', audit, '*', 'event', 'case_closed', 'case', cid, 'partner', pid, 'student', student,
             'detail', how, 'at', now)
end
-- The open case a new assignment of (student, topic) for a partner joins:
-- the id the partner's index "cases:<partner>" names, or nil when it names
-- none, a closed one, or one idle past idle ms (spec "<mode>|<topic>|<idle
-- ms>"; kcase is "case:<that id>"). Read-only: ACCEPT checks the case keys
-- it was given before it writes.
local function case_current(kcases, kcase, student, spec, now)
  local _, topic, idle = string.match(spec, '^(%a+)|(%a+)|(%d+)$')
  local cid = redis.call('HGET', kcases, student .. '|' .. topic)
  if not cid then return nil, nil end
  local c = redis.call('HMGET', kcase, 'state', 'last_ack_ms', 'last_signal_ms')
  if not c[1] or c[1] == 'closed' then return nil, cid end
  if c[1] == 'in_progress' and tonumber(idle) > 0 then
    local last = math.max(tonumber(c[2]) or 0, tonumber(c[3]) or 0)
    if tonumber(now) - last >= tonumber(idle) then return nil, cid end
  end
  return cid, cid
end
-- Places assignment of task id for partner pid in its case (spec
-- "<mode>|<topic>|<idle ms>"): returns the case id and whether the
-- assignment is an update of an open case (true) or a task (false).
-- k holds the keys: cases, caseset (the partner's), cur and curitems (the
-- case the index names now), new and newitems (the case newid opens).
local function case_place(k, pid, student, spec, id, now, audit, ttl, newid)
  local mode, topic, idle = string.match(spec, '^(%a+)|(%a+)|(%d+)$')
  local ck = k.cases
  local field = student .. '|' .. topic
  local cid = redis.call('HGET', ck, field)
  if cid then
    local c = redis.call('HMGET', k.cur, 'state', 'last_ack_ms', 'last_signal_ms')
    if not c[1] or c[1] == 'closed' then
      redis.call('HDEL', ck, field)
      cid = nil
    elseif c[1] == 'in_progress' and tonumber(idle) > 0 then
      local last = math.max(tonumber(c[2]) or 0, tonumber(c[3]) or 0)
      if tonumber(now) - last >= tonumber(idle) then
        case_close(k.cur, ck, cid, pid, student, topic, 'idle', now, audit)
        cid = nil
      end
    end
  end
  if cid then
    local kk = k.cur
    redis.call('HSET', kk, 'last_signal_ms', now)
    local update = mode ~= 'separate'
    redis.call('HINCRBY', kk, update and 'updates' or 'tasks', 1)
    redis.call('RPUSH', k.curitems, id .. '|' .. (update and 'update' or 'task'))
    case_touch(kk, k.curitems, ttl)
    redis.call('XADD', audit, '*', 'event', update and 'case_update' or 'case_task', 'case', cid,
               'task', id, 'partner', pid, 'student', student, 'at', now)
    return cid, update
  end
  cid = newid
  redis.call('HSET', k.new, 'id', cid, 'partner', pid, 'student', student, 'topic', topic,
             'state', 'open', 'task', id, 'opened_ms', now, 'last_signal_ms', now, 'tasks', 1,
             'updates', 0)
  redis.call('HSET', ck, field, cid)
  redis.call('ZADD', k.caseset, now, cid)
  -- cases opened longer ago than the retention have expired (or soon will)
  redis.call('ZREMRANGEBYSCORE', k.caseset, '-inf', '(' .. (tonumber(now) - tonumber(ttl)))
  redis.call('RPUSH', k.newitems, id .. '|task')
  case_touch(k.new, k.newitems, ttl)
  redis.call('XADD', audit, '*', 'event', 'case_opened', 'case', cid, 'task', id, 'partner', pid,
             'student', student, 'detail', topic, 'at', now)
  return cid, false
end
