-- The checks before a script's first write. wrongtype(key, want) describes
-- a key that exists with another type than want (nil when it is fine);
-- wrongtypes({{key, want}...}) the first such key of a list; badargs(why)
-- and baddata(why) are the error replies for arguments that do not add up
-- and for stored data a script cannot use.
-- A key found fine for a type is not asked again for that type in the same
-- call (no script changes a key's type, and each checks a key before it
-- writes it); ACCEPT names each partner's keys once per assignment.
local typed = {}
local function wrongtype(key, want)
  if typed[key] == want then return end
  local t = redis.call('TYPE', key)['ok']
  if t ~= 'none' and t ~= want then
    return 'WRONGTYPE ' .. key .. ' holds a ' .. t .. ', not a ' .. want
  end
  typed[key] = want
end
local function wrongtypes(list)
  for _, w in ipairs(list) do
    local e = wrongtype(w[1], w[2])
    if e then return e end
  end
end
local function badargs(why) return redis.error_reply('BADARGS ' .. why) end
local function baddata(why) return redis.error_reply('BADDATA ' .. why) end
local function isint(v) return type(v) == 'string' and string.match(v, '^%-?%d+$') ~= nil and #v <= 15 end
