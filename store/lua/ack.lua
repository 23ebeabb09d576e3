-- ACK
--   KEYS  1 audit, 2 tasks, 3 due, 4 the task record ("task:<id>"), 5 the
--         partner's open tasks ("open:<partner>")
--   ARGV  prefix (not read: every key is in KEYS), task id, partner, outcome, note, now ms, now (RFC 3339),
--         window hours
--   Returns {status, referral id or ""}: status NOTFOUND (no such task in
--   this partition), FORBIDDEN (not this partner's task), REPEAT (the same
--   outcome again: harmless), CONFLICT:<outcome> (acknowledged before with
--   another outcome), OK or LATE (acknowledged after it was due). MAZL with
--   consult_requested creates the referral task for the jeugdarts.
--@include derived.lua
--@include check.lua
local id, pid, outcome = ARGV[2], ARGV[3], ARGV[4]
local tk = KEYS[4]
local e = wrongtypes({{tk, 'hash'}, {KEYS[1], 'stream'}, {KEYS[2], 'stream'}, {KEYS[3], 'zset'},
  {KEYS[5], 'zset'}})
if e then return redis.error_reply(e) end
if redis.call('EXISTS', tk) == 0 then return {'NOTFOUND', ''} end
local v = redis.call('HMGET', tk, pid .. '.state', 'json', 'student', pid .. '.outcome')
v[3], v[4] = v[3] or '', v[4] or ''
if not v[1] then return {'FORBIDDEN', ''} end
if v[1] == 'acked' then
  if v[4] == outcome then return {'REPEAT', ''} end
  return {'CONFLICT:' .. v[4], ''}
end
local status = v[1] == 'overdue' and 'LATE' or 'OK'
local t = decode(v[2]) or {}
-- unreadable: acknowledged, no referral
redis.call('HSET', tk, pid .. '.state', 'acked', pid .. '.outcome', outcome, pid .. '.note', ARGV[5],
           pid .. '.acked_ms', ARGV[6])
redis.call('ZREM', KEYS[3], 'due|' .. id .. '|' .. pid, 'remind|' .. id .. '|' .. pid)
redis.call('ZREM', KEYS[5], id)
redis.call('XADD', KEYS[1], '*', 'event', 'acknowledged', 'task', id, 'partner', pid, 'student', v[3],
           'outcome', outcome, 'late', status == 'LATE' and '1' or '0', 'at', ARGV[6])
local ref = ''
if outcome == 'consult_requested' and t.rule == 'mazl' and (t.kind == nil or t.kind == 'task') then
  ref = derived_id('referral|' .. id)
  derived(KEYS[2], t, {id = ref, kind = 'referral', refers = id}, 'jeugdarts', ARGV[7], ARGV[8])
  redis.call('XADD', KEYS[1], '*', 'event', 'referral', 'task', id, 'partner', pid, 'student', v[3],
             'referral', ref, 'at', ARGV[6])
end
return {status, ref}
