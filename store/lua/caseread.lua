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
--   List and get read the "case:<id>", "caseitems:<id>" and "task:<id>"
--   keys of what they find: the caller declares them after KEYS 1 (in any
--   order). The caller learns them from the script: while a key it needs
--   is not declared it returns {"KEYS", key...} naming the missing ones
--   (the first call passes none), and the caller sends it again with them.
--   A list names the case keys of the members it may need, then the task
--   keys of the open cases among them; a call that cannot yet tell whether
--   a member matches names at least max(limit, 100, keys given) keys.
local pre, pid, now = ARGV[2], ARGV[3], tonumber(ARGV[4])
local declared, missing, named = {}, {}, {}
for k = 2, #KEYS do declared[KEYS[k]] = true end
-- true when key is declared; otherwise notes it for the {"KEYS"} reply
local function need(key)
  if declared[key] then return true end
  if not named[key] then named[key] = true; missing[#missing + 1] = key end
  return false
end
local function keys_reply()
  table.insert(missing, 1, 'KEYS')
  return missing
end
-- a case is overdue while it is open and its opening task is past due
-- without an acknowledgement (nil while its task key is not declared)
local function overdue(c)
  if c.state ~= 'open' or not c.task then return 0 end
  local tkey = pre .. 'task:' .. c.task
  if not need(tkey) then return nil end
  local v = redis.call('HMGET', tkey, pid .. '.due', pid .. '.state')
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
  elseif need(pre .. 'caseitems:' .. c.id) then
    list = redis.call('LRANGE', pre .. 'caseitems:' .. c.id, 0, -1)
  end
  for _, it in ipairs(list) do
    local tid, kind = string.match(it, '^([^|]+)|(%a+)$')
    if tid and need(pre .. 'task:' .. tid) then
      local v = redis.call('HMGET', pre .. 'task:' .. tid, pid .. '.state', pid .. '.due',
                           pid .. '.delivery')
      items[#items + 1] = {tid, kind, v[1] or '', v[2] or '', v[3] or ''}
    end
  end
  local od = overdue(c)
  if #missing > 0 then return keys_reply() end
  return {flat, od, items}
end
local want = ARGV[5]
local after, after_id = ARGV[6], ARGV[7]
local limit, budget = tonumber(ARGV[8]), tonumber(ARGV[9])
local after_n = tonumber(after)
local out, seen, offset = {}, 0, 0
-- members that may match but cannot be told yet (their case or task key
-- is not declared); a call that meets them names at least as many keys as
-- it was given (and a page's worth), so the calls of a page double their
-- reach and stay few
local unknown, ahead = 0, math.max(limit, 100, #KEYS - 1)
while true do
  local batch = redis.call('ZRANGEBYSCORE', KEYS[1], after, '+inf', 'WITHSCORES', 'LIMIT', offset, 200)
  for i = 1, #batch, 2 do
    local id, score = batch[i], batch[i + 1]
    if not (after_n and tonumber(score) == after_n and id <= after_id) then
      seen = seen + 1
      local ckey = pre .. 'case:' .. id
      local known = need(ckey)
      local flat = known and redis.call('HGETALL', ckey) or {}
      if #flat > 0 then
        local c = fields(flat)
        local od = overdue(c)
        if od == nil then
          known = false
        elseif want == '' or (want == 'overdue' and od == 1) or
               (want ~= 'overdue' and c.state == want) then
          out[#out + 1] = {id, flat, od}
        end
      end
      if not known then unknown = unknown + 1 end
      if (#out >= limit and unknown == 0) or seen >= budget or
         (unknown > 0 and #out + unknown >= limit and #missing >= ahead) then
        if #missing > 0 then return keys_reply() end
        -- more may follow: the cursor is this member
        local rest = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. score, '+inf', 'LIMIT', 0, 1)
        local ties = redis.call('ZRANGEBYSCORE', KEYS[1], score, score)
        local more = #rest > 0 or ties[#ties] ~= id
        if more then return {out, score, id} end
        return {out, '', ''}
      end
    end
  end
  if #batch < 400 then
    if #missing > 0 then return keys_reply() end
    return {out, '', ''}
  end
  offset = offset + 200
end
