-- ERASE
--   KEYS  1 lease, 2 audit (gets the record of the erasure), 3.. the keys
--         of the erasure plan that have a fixed name (store/keys.c)
--   ARGV  fence (a value no daemon uses as its token), fence ms, student,
--         now ms, then the how ("field", "entries", "members") of each of
--         KEYS[3..], then npatterns, (how, SCAN pattern)...
--   Removes everything that names the pupil (keys.h, enum erase_how says
--   what each how does) and fences the partition: the lease is set to the
--   fence for fence ms, so the owner's next commit, renewal or dispatcher
--   script is refused ("LEASE"), the owner drops its cached states and
--   takes the partition again only after the fence expired, reading the
--   pupil (if at all) from what is left here. Adds an audit entry
--   "erased" with counts, without the pupil key.
--   Refuses with "BADARGS ..." or "WRONGTYPE ..." before writing anything.
--   Returns {fields, records, entries, members, ids, named, {partner...}}:
--   what it removed, and the partners that had a task of the pupil.
--@include check.lua
local fence, fence_ms, student, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if not student or student == '' or not string.match(fence_ms or '', '^%d+$')
   or not string.match(now or '', '^%d+$') then
  return badargs('fence ms, student or now')
end
local plan = {}
local wants = {field = 'hash', entries = 'stream', members = 'zset'}
local checks = {{KEYS[1], 'string'}, {KEYS[2], 'stream'}}
for k = 3, #KEYS do
  local how = ARGV[5 + k - 3]
  if not wants[how] then return badargs('how of key ' .. k) end
  plan[#plan + 1] = {how, KEYS[k], false}
  checks[#checks + 1] = {KEYS[k], wants[how]}
end
local i = 5 + #KEYS - 2
local npat = tonumber(ARGV[i] or '')
if not npat or i + 2 * npat ~= #ARGV then return badargs('patterns') end
local hows = {records = true, members = true, ids = true, named = true}
for k = i + 1, #ARGV, 2 do
  if not hows[ARGV[k]] then return badargs('how of pattern ' .. ARGV[k + 1]) end
  plan[#plan + 1] = {ARGV[k], ARGV[k + 1], true}
end
local e = wrongtypes(checks)
if e then return redis.error_reply(e) end
-- keys matching a pattern, of the type wanted (others are left alone)
local function matching(pattern, want)
  local out, cursor = {}, '0'
  repeat
    local r = redis.call('SCAN', cursor, 'MATCH', pattern, 'COUNT', 1000)
    cursor = r[1]
    for _, key in ipairs(r[2]) do
      if not want or redis.call('TYPE', key)['ok'] == want then out[#out + 1] = key end
    end
  until cursor == '0'
  return out
end
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
local function records(pattern)
  for _, key in ipairs(matching(pattern, 'hash')) do
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
local function idfields(pattern)
  for _, key in ipairs(matching(pattern, 'hash')) do
    for id, _ in pairs(ids) do n.ids = n.ids + redis.call('HDEL', key, id) end
  end
end
local function named(pattern)
  for _, key in ipairs(matching(pattern, nil)) do
    for part in string.gmatch(key, '[^:|]+') do
      if part == student then redis.call('DEL', key); n.named = n.named + 1; break end
    end
  end
end
-- the fence first: from here on no owner writes to the partition
redis.call('SET', KEYS[1], fence, 'PX', fence_ms)
for _, step in ipairs({{'field', field}, {'records', records}, {'entries', entries},
                       {'named', named}, {'members', nil}, {'ids', idfields}}) do
  for _, p in ipairs(plan) do
    if p[1] == step[1] then
      if p[1] == 'members' then
        if p[3] then
          for _, key in ipairs(matching(p[2], 'zset')) do members(key) end
        else
          members(p[2])
        end
      else
        step[2](p[2])
      end
    end
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
