-- CASEREAD (read-only): a partner's cases for the partner API.
--   List: KEYS 1 "caseset:<partner>" (case ids by opening time)
--         ARGV "list", prefix, partner, now ms, state filter ("" for all,
--         open, overdue, in_progress, closed), after score ("-inf" for the
--         start), after id ("" for none), limit, budget (members examined)
--         Returns {{{id, fields (HGETALL), overdue 0/1}...}, next score, next id}:
--         next is empty when the set holds nothing after the last member
--         looked at. Members are in (score, id) order, so the cursor (the
--         last member returned or examined) is stable while cases come and go.
--   Count: KEYS 1 "caseopen:<partner>", 2 "caseprog:<partner>" (the
--         per-state sets of store/lua/cases.lua); ARGV "count", prefix,
--         partner, now ms. Returns {open (not overdue), overdue, in
--         progress}: three O(log n) counts, whatever the number of cases.
--   Get:  KEYS 1 "case:<id>"
--         ARGV "get", prefix, partner, now ms
--         Returns {} (no such case), {"other"} (another partner's) or
--         {fields, overdue 0/1, {{task id, kind, state, due, delivery}...}}.
local pre, pid, now = ARGV[2], ARGV[3], tonumber(ARGV[4])
-- a case is overdue while it is open and its opening task is past due
-- without an acknowledgement
local function overdue(c)
  if c.state ~= 'open' or not c.task then return 0 end
  local v = redis.call('HMGET', pre .. 'task:' .. c.task, pid .. '.due', pid .. '.state')
  local due = tonumber(v[1])
  if due and due <= now and (v[2] == 'open' or v[2] == 'overdue') then return 1 end
  return 0
end
local function fields(flat)
  local c = {}
  for i = 1, #flat, 2 do c[flat[i]] = flat[i + 1] end
  return c
end
if ARGV[1] == 'count' then
  -- an open case is overdue once its task's due time has passed (an
  -- acknowledgement moves it to in progress or closes it)
  return {redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[4], '+inf'),
          redis.call('ZCOUNT', KEYS[1], '-inf', ARGV[4]), redis.call('ZCARD', KEYS[2])}
end
if ARGV[1] == 'get' then
  local flat = redis.call('HGETALL', KEYS[1])
  if #flat == 0 then return {} end
  local c = fields(flat)
  if c.partner ~= pid then return {'other'} end
  local items, list = {}, {}
  -- the items: fields "i1".."i<items>" of the case, or the "caseitems" list
  -- of a case opened before they moved into it
  local n = tonumber(c.items or '')
  if n then
    for k = 1, math.min(n, 100000) do list[#list + 1] = c['i' .. k] or '' end
  else
    list = redis.call('LRANGE', pre .. 'caseitems:' .. c.id, 0, -1)
  end
  for _, it in ipairs(list) do
    local tid, kind = string.match(it, '^([^|]+)|(%a+)$')
    if tid then
      local v = redis.call('HMGET', pre .. 'task:' .. tid, pid .. '.state', pid .. '.due',
                           pid .. '.delivery')
      items[#items + 1] = {tid, kind, v[1] or '', v[2] or '', v[3] or ''}
    end
  end
  return {flat, overdue(c), items}
end
local want = ARGV[5]
local after, after_id = ARGV[6], ARGV[7]
local limit, budget = tonumber(ARGV[8]), tonumber(ARGV[9])
local after_n = tonumber(after)
local out, seen, offset = {}, 0, 0
while true do
  local batch = redis.call('ZRANGEBYSCORE', KEYS[1], after, '+inf', 'WITHSCORES', 'LIMIT', offset, 200)
  for i = 1, #batch, 2 do
    local id, score = batch[i], batch[i + 1]
    if not (after_n and tonumber(score) == after_n and id <= after_id) then
      seen = seen + 1
      local flat = redis.call('HGETALL', pre .. 'case:' .. id)
      if #flat > 0 then
        local c = fields(flat)
        local od = overdue(c)
        local match = want == '' or (want == 'overdue' and od == 1) or
                      (want ~= 'overdue' and c.state == want)
        if match then out[#out + 1] = {id, flat, od} end
      end
      if #out >= limit or seen >= budget then
        -- more may follow: the cursor is this member
        local rest = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. score, '+inf', 'LIMIT', 0, 1)
        local ties = redis.call('ZRANGEBYSCORE', KEYS[1], score, score)
        local more = #rest > 0 or ties[#ties] ~= id
        if more then return {out, score, id} end
        return {out, '', ''}
      end
    end
  end
  if #batch < 400 then return {out, '', ''} end
  offset = offset + 200
end
