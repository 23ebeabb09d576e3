-- KEYS 1 events; ARGV group, retention cutoff id ("ms-0"). Trims entries
-- older than both the oldest pending entry (or, with none pending, the last
-- delivered one) and the cutoff: never an unprocessed entry. Returns the
-- number of entries removed.
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function less(a, b)
  local am, as = parse(a); local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end
local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[1])
if not ok then return 0 end
local floor = nil
for _, g in ipairs(groups) do
  local name, last, pending
  for j = 1, #g, 2 do
    if g[j] == 'name' then name = g[j + 1] end
    if g[j] == 'last-delivered-id' then last = g[j + 1] end
    if g[j] == 'pending' then pending = g[j + 1] end
  end
  if name == ARGV[1] then
    floor = last
    if pending > 0 then
      floor = redis.call('XPENDING', KEYS[1], name)[2]
    end
  end
end
if not floor then return 0 end
if less(ARGV[2], floor) then floor = ARGV[2] end
return redis.call('XTRIM', KEYS[1], 'MINID', floor)
