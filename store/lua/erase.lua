-- ERASE
--   KEYS  1 lease, 2 audit (gets the record of the erasure), 3.. the keys
--         to erase from: those of the erasure plan with a fixed name
--         (store/keys.c) and those the caller found for its patterns
--   ARGV  fence (a value no daemon uses as its token; "": only check the
--         arguments and the keys' types, write nothing, return "CHECKED"),
--         fence ms, student,
--         now ms, then the how of each of KEYS[3..] ("field", "records",
--         "entries", "members", "ids", "named")
--   The caller checks first (fence ""), so that a refusal writes nothing,
--   then sets the lease to the fence for fence ms (SET PX), then
--   finds the keys of the plan's patterns (SCAN ... TYPE), then runs ERASE:
--   the fence makes the owner's next commit, renewal or dispatcher script
--   be refused ("LEASE"), so no key of the pupil appears between the two
--   steps; ERASE refuses with "FENCE" (writing nothing) when the lease no
--   longer holds the fence (it expired during the search: the caller starts
--   over), and sets it again for fence ms. The owner drops its cached states
--   and takes the partition again only after the fence expired, reading the
--   pupil (if at all) from what is left here (keys.h, enum erase_how says
--   what each how does). Adds an audit entry "erased" with counts, without
--   the pupil key.
--   Refuses with "BADARGS ..." or "WRONGTYPE ..." before writing anything.
--   Returns {fields, records, entries, members, ids, named, {partner...}}:
--   what it removed, and the partners that had a task of the pupil.
--@include check.lua
local fence, fence_ms, student, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if not student or student == '' or not string.match(fence_ms or '', '^%d+$')
   or not string.match(now or '', '^%d+$') then
  return badargs('fence ms, student or now')
end
if #ARGV ~= 4 + #KEYS - 2 then return badargs('one how per key') end
local plan = {}
local wants = {field = 'hash', entries = 'stream', members = 'zset', records = 'hash', ids = 'hash',
  named = false}
local checks = {{KEYS[1], 'string'}, {KEYS[2], 'stream'}}
for k = 3, #KEYS do
  local how = ARGV[5 + k - 3]
  if wants[how] == nil then return badargs('how of key ' .. k) end
  plan[#plan + 1] = {how, KEYS[k]}
  if wants[how] then checks[#checks + 1] = {KEYS[k], wants[how]} end
end
local e = wrongtypes(checks)
if e then return redis.error_reply(e) end
if fence == '' then return redis.status_reply('CHECKED') end
if redis.call('GET', KEYS[1]) ~= fence then return redis.error_reply('FENCE lost: set it again') end
local quoted = '"' .. student .. '"'
local function names(v)
  return v == student or string.find(v, quoted, 1, true) ~= nil
end
local ids, partners, n = {}, {}, {field = 0, records = 0, entries = 0, members = 0, ids = 0, named = 0}
local function is_id(v) return v and string.match(v, '^vs%x+$') ~= nil end
local function partners_of(csv)
  for pid in string.gmatch(csv or '', '[^,]+') do partners[pid] = true end
end
-- 1: what names the pupil directly; collects the pupil's task ids
local function field(key)
  n.field = n.field + redis.call('HDEL', key, student)
end
local function records(key)
  do
    if redis.call('HGET', key, 'student') == student then
      local id = string.match(key, ':([^:]*)$')
      if id then ids[id] = true end
      partners_of(redis.call('HGET', key, 'partners'))
      redis.call('DEL', key)
      n.records = n.records + 1
    end
  end
end
local function entries(key)
  local groups = {}
  if redis.call('EXISTS', key) == 1 then
    for _, g in ipairs(redis.call('XINFO', 'GROUPS', key)) do
      for k = 1, #g, 2 do if g[k] == 'name' then groups[#groups + 1] = g[k + 1] end end
    end
  end
  local start = '-'
  while true do
    local r = redis.call('XRANGE', key, start, '+', 'COUNT', 1000)
    local doomed = {}
    for _, en in ipairs(r) do
      local f, hit = en[2], false
      for k = 2, #f, 2 do if names(f[k]) then hit = true end end
      if hit then
        doomed[#doomed + 1] = en[1]
        for k = 1, #f, 2 do
          if (f[k] == 'id' or f[k] == 'task') and is_id(f[k + 1]) then ids[f[k + 1]] = true end
          if f[k] == 'partner' then partners[f[k + 1]] = true end
        end
      end
    end
    if #doomed > 0 then
      redis.call('XDEL', key, unpack(doomed))
      for _, g in ipairs(groups) do redis.call('XACK', key, g, unpack(doomed)) end
      n.entries = n.entries + #doomed
    end
    if #r < 1000 then break end
    start = '(' .. r[#r][1]
  end
end
-- 2: what names the pupil through a task id
local function members(key)
  local cursor, doomed = '0', {}
  repeat
    local r = redis.call('ZSCAN', key, cursor, 'COUNT', 1000)
    cursor = r[1]
    for k = 1, #r[2], 2 do
      local m = r[2][k]
      for part in string.gmatch(m, '[^|]+') do
        if ids[part] or part == student then doomed[#doomed + 1] = m; break end
      end
    end
  until cursor == '0'
  for _, m in ipairs(doomed) do n.members = n.members + redis.call('ZREM', key, m) end
end
local function idfields(key)
  do
    for id, _ in pairs(ids) do n.ids = n.ids + redis.call('HDEL', key, id) end
    -- fields such as a case index's "<student>|<topic>"
    local cursor, doomed = '0', {}
    repeat
      local r = redis.call('HSCAN', key, cursor, 'COUNT', 1000)
      cursor = r[1]
      for k = 1, #r[2], 2 do
        for part in string.gmatch(r[2][k], '[^|]+') do
          if part == student then doomed[#doomed + 1] = r[2][k]; break end
        end
      end
    until cursor == '0'
    for _, f in ipairs(doomed) do n.ids = n.ids + redis.call('HDEL', key, f) end
  end
end
local function named(key)
  -- the key's own name after the partition prefix
  local name = string.match(key, '^vs:{[^}]*}:(.*)$') or key
  for part in string.gmatch(name, '[^:|]+') do
    if part == student or ids[part] then
      n.named = n.named + redis.call('DEL', key)
      break
    end
  end
end
-- the fence first: from here on no owner writes to the partition
redis.call('SET', KEYS[1], fence, 'PX', fence_ms)
for _, step in ipairs({{'field', field}, {'records', records}, {'entries', entries},
                       {'named', named}, {'members', members}, {'ids', idfields}}) do
  for _, p in ipairs(plan) do
    if p[1] == step[1] then step[2](p[2]) end
  end
end
local plist = {}
for pid, _ in pairs(partners) do plist[#plist + 1] = pid end
table.sort(plist)
redis.call('XADD', KEYS[2], '*', 'event', 'erased', 'detail',
  string.format('state %d, task records %d, stream entries %d, members %d, task ids %d, keys %d',
    n.field, n.records, n.entries, n.members, n.ids, n.named),
  'partners', table.concat(plist, ','), 'at', now)
return {n.field, n.records, n.entries, n.members, n.ids, n.named, plist}
