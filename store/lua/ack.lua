-- ACK
--   KEYS  1 audit, 2 tasks, 3 due, 4 the task record ("task:<id>"), 5 the
--         partner's open tasks ("open:<partner>"), 6 the task's case
--         ("case:<case id>"; "case:" when it has none), 7 the partner's case
--         index ("cases:<partner>"), 8 and 9 the partner's acknowledged
--         tasks in progress and closed ("progress:<partner>",
--         "closed:<partner>", scored by the acknowledgement's time: the API's
--         in_progress and closed lists), 10 and 11 the partner's open and
--         in-progress cases ("caseopen:<partner>", "caseprog:<partner>")
--   ARGV  task id, partner, outcome, note, now ms, now (RFC 3339), window
--         hours, case id ("" for none)
--   The case id is the record's "<partner>.case", which the caller cannot
--   know beforehand: when the one passed is not it, ACK writes nothing and
--   returns {"CASE", the record's case id}, and the caller sends ACK again
--   with that id (and its case key).
--   Returns {status, referral id or ""}: status NOTFOUND (no such task in
--   this partition), FORBIDDEN (not this partner's task), DENIED (only the
--   school may request the MAZL consult), REPEAT (the same outcome again:
--   harmless), CONFLICT:<outcome> (a step back from a closing outcome, or an
--   update, which is acknowledged through its case's task), OK or LATE
--   (acknowledged after it was due). Outcomes progress: an in-progress one
--   (planned, contacted, referred, consult_requested) may be followed by
--   another or by a closing one (done, not_applicable); a closing one is
--   final. The task's case follows: in progress, or closed. MAZL with
--   consult_requested from the school creates the referral task for the
--   jeugdarts.
--@include derived.lua
--@include check.lua
--@include record.lua
--@include cases.lua
local id, pid, outcome = ARGV[1], ARGV[2], ARGV[3]
local tk = KEYS[4]
local e = wrongtypes({{tk, 'hash'}, {KEYS[1], 'stream'}, {KEYS[2], 'stream'}, {KEYS[3], 'zset'},
  {KEYS[5], 'zset'}, {KEYS[8], 'zset'}, {KEYS[9], 'zset'}})
if e then return redis.error_reply(e) end
if redis.call('EXISTS', tk) == 0 then return {'NOTFOUND', ''} end
local v = redis.call('HMGET', tk, pid .. '.state', 'json', 'student', pid .. '.outcome', pid .. '.role',
                     pid .. '.case')
v[2] = task_json(tk, v[2])
v[3], v[4] = v[3] or '', v[4] or ''
if not v[1] then return {'FORBIDDEN', ''} end
if v[1] == 'update' then return {'CONFLICT:update', ''} end
if outcome == 'consult_requested' and v[5] ~= 'school' then return {'DENIED', ''} end
local closing = {done = true, not_applicable = true}
if v[1] == 'acked' then
  if v[4] == outcome then return {'REPEAT', ''} end
  if closing[v[4]] then return {'CONFLICT:' .. v[4], ''} end
end
local cid = v[6]
if (cid or '') ~= ARGV[8] then return {'CASE', cid or ''} end
if cid then
  e = wrongtypes({{KEYS[6], 'hash'}, {KEYS[7], 'hash'}, {KEYS[10], 'zset'}, {KEYS[11], 'zset'}})
  if e then return redis.error_reply(e) end
end
local status = v[1] == 'overdue' and 'LATE' or 'OK'
local t = decode(v[2]) or {}
-- unreadable: acknowledged, no referral
redis.call('HSET', tk, pid .. '.state', 'acked', pid .. '.outcome', outcome, pid .. '.note', ARGV[4],
           pid .. '.acked_ms', ARGV[5])
redis.call('ZREM', KEYS[3], 'due|' .. id .. '|' .. pid, 'remind|' .. id .. '|' .. pid)
redis.call('ZREM', KEYS[5], id)
if closing[outcome] then
  redis.call('ZREM', KEYS[8], id)
  redis.call('ZADD', KEYS[9], ARGV[5], id)
else
  redis.call('ZADD', KEYS[8], ARGV[5], id)
end
redis.call('XADD', KEYS[1], '*', 'event', 'acknowledged', 'task', id, 'partner', pid, 'student', v[3],
           'outcome', outcome, 'previous', v[1] == 'acked' and v[4] or '', 'late', status == 'LATE' and '1' or '0',
           'case', cid or '', 'at', ARGV[5])
if cid and redis.call('EXISTS', KEYS[6]) == 1 then
  local c = redis.call('HMGET', KEYS[6], 'state', 'topic')
  if c[1] ~= 'closed' then
    redis.call('HSET', KEYS[6], 'last_ack_ms', ARGV[5], 'outcome', outcome)
    if closing[outcome] then
      case_close(KEYS[6], KEYS[7], KEYS[10], KEYS[11], cid, pid, v[3], c[2] or '', outcome, ARGV[5], KEYS[1])
    else
      redis.call('HSET', KEYS[6], 'state', 'in_progress')
      case_index(KEYS[10], KEYS[11], cid, 'in_progress', ARGV[5])
    end
  end
end
local ref = ''
if outcome == 'consult_requested' and t.rule == 'mazl' and (t.kind == nil or t.kind == 'task') then
  ref = derived_id('referral|' .. id)
  derived(KEYS[2], t, {id = ref, kind = 'referral', refers = id}, 'jeugdarts', ARGV[6], ARGV[7])
  redis.call('XADD', KEYS[1], '*', 'event', 'referral', 'task', id, 'partner', pid, 'student', v[3],
             'referral', ref, 'at', ARGV[5])
end
return {status, ref}
