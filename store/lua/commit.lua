-- COMMIT
--   KEYS  1 lease, 2 state, 3 tasks, 4 dead, 5 offset (the events stream's
--         committed offset, see RESUME), 6 task ids (of the
--         school year), 7 swept, 8 daily (the latest signal date), 9
--         quarantined, 10... the per-day hashes "<daily>:<date>" of every
--         date the commit counts (each task's date and each school day
--         below; they count tasks per rule "r:<rule>", per school
--         "s:<school>" and absences per school "g:<school>", for the status
--         page and the flood guard). Every key the script touches is
--         declared (Redis Cluster); a date without its key is refused.
--   ARGV  token, after (the offset the batch was read after), task ids
--         expiry (ms since the epoch), then
--         nstates, (student, record)...,
--         ntasks, (nfields, field, value, ...)...   -- first pair is ("id", task id)
--         ndead, (nfields, field, value, ...)...,
--         upto (the last entry applied: the new offset; "" = none),
--         tries (the offset's start count, RESUME: "" = cleared if the
--           offset moves, "0" = cleared, a count = written; daemon/commit.c),
--         swept ("" = leave as is),
--         nhdel, student...  -- states of a finished school year to purge
--         ndays, (date, school, absences, flood limit)...
--           -- absences per school day, added to "<daily>:<date>" as
--              "g:<school>"; past the limit (> 0) the school day goes into
--              quarantine (KEYS[9], see ACCEPT)
--   Refuses with "LEASE" unless the lease holds the token (fencing), with
--   "STALE" unless the stored offset is `after` (the batch does not follow
--   what was committed: another owner's commit, or one of ours refused), with
--   "BADARGS ..." when the arguments do not add up (an entry of more than
--   7,000 arguments (entry_args_max below): one XADD takes its fields from Lua's
--   stack, which holds about 8,000) and with "WRONGTYPE ..." when a key it
--   writes holds the wrong type or a counter it increments is not a small
--   integer: in each case before writing anything. A task whose id was
--   created before is skipped (the task ids hash), so a task is never
--   written twice, whatever happened before. Returns the number of tasks
--   created.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE not held')
end
--@include check.lua
-- checks: nothing below writes until the write phase
local e = wrongtypes({{KEYS[2], 'hash'}, {KEYS[3], 'stream'}, {KEYS[4], 'stream'},
  {KEYS[5], 'hash'}, {KEYS[6], 'hash'}, {KEYS[7], 'string'}, {KEYS[8], 'string'},
  {KEYS[9], 'set'}})
if e then return redis.error_reply(e) end
local offset = redis.call('HMGET', KEYS[5], 'id', 'tries')
if offset[1] ~= ARGV[2] then
  return redis.error_reply('STALE the committed offset is ' .. (offset[1] or 'missing') ..
    ', not ' .. ARGV[2])
end
local declared = {}
for k = 10, #KEYS do declared[KEYS[k]] = true end
local nargv, bad = #ARGV, nil
local function fail(why) bad = bad or ('BADARGS ' .. why) end
local function count(i)
  local v = ARGV[i]
  if bad or not v or not string.match(v, '^%d+$') or #v > 9 then
    fail('argument ' .. i .. ' is not a count'); return 0
  end
  return tonumber(v)
end
local function room(i, n)
  if i + n - 1 > nargv then fail(n .. ' arguments from ' .. i .. ' missing'); return false end
  return not bad
end
-- Arguments of one task or dead-letter entry (field and value each count),
-- the most one XADD accepts; the dead-letter limits of daemon/entries.h stay far below it.
local entry_args_max = 7000
local function entries(i, what)
  local n, list = count(i), {}
  i = i + 1
  for _ = 1, n do
    local nf = count(i); i = i + 1
    if nf < 2 or nf % 2 == 1 or nf > entry_args_max then
      fail(what .. ' entry of ' .. nf .. ' arguments')
    end
    if not room(i, nf) then break end
    list[#list + 1] = {i, nf}
    i = i + nf
  end
  return list, i
end
if not string.match(ARGV[3] or '', '^%d+$') then fail('the expiry is not a time') end
local i = 4
local nstates = count(i); i = i + 1
local states_at = i
if room(i, 2 * nstates) then i = i + 2 * nstates end
local tasks, dead
tasks, i = entries(i, 'a task')
dead, i = entries(i, 'a dead-letter')
local upto, tries = '', ''
if room(i, 2) then
  upto, tries = ARGV[i], ARGV[i + 1]
  if upto ~= '' and not string.match(upto, '^%d+%-%d+$') then fail('argument ' .. i .. ' is not a stream id') end
  if tries ~= '' and not isint(tries) then fail('argument ' .. (i + 1) .. ' is not a count') end
  i = i + 2
end
local swept = ''
if room(i, 1) then swept = ARGV[i]; i = i + 1 end
local nhdel = count(i); i = i + 1
local hdel_at = i
if room(i, nhdel) then i = i + nhdel end
local ndays = count(i); i = i + 1
local days_at = i
if room(i, 4 * ndays) then
  for k = i, i + 4 * ndays - 1, 4 do
    if not string.match(ARGV[k + 2], '^%d+$') or #ARGV[k + 2] > 9 or not tonumber(ARGV[k + 3]) then
      fail('school day at ' .. k .. ' has a bad count or limit'); break
    end
  end
  i = i + 4 * ndays
end
if not bad and i - 1 ~= nargv then fail((nargv - i + 1) .. ' arguments left over') end
if bad then return redis.error_reply(bad) end
-- the tasks not seen before, and what they add to the day counters
local fresh, seen, incs, undeclared = {}, {}, {}, nil
local function inc(t, date, field, by)
  local dk = KEYS[8] .. ':' .. date
  if not declared[dk] then undeclared = undeclared or dk end
  local c = t[dk] or {}
  t[dk] = c
  c[field] = (c[field] or 0) + by
end
local newest = nil
for _, t in ipairs(tasks) do
  local a, nf = t[1], t[2]
  local id = ARGV[a + 1]
  if not seen[id] and redis.call('HEXISTS', KEYS[6], id) == 0 then
    fresh[#fresh + 1] = t
    local rule, school, date
    for k = a, a + nf - 2, 2 do
      if ARGV[k] == 'rule' then rule = ARGV[k + 1]
      elseif ARGV[k] == 'school' then school = ARGV[k + 1]
      elseif ARGV[k] == 'date' then date = ARGV[k + 1] end
    end
    if date and rule and school then
      inc(incs, date, 'r:' .. rule, 1)
      inc(incs, date, 's:' .. school, 1)
      if not newest or newest < date then newest = date end
    end
  end
  seen[id] = true
end
for k = days_at, days_at + 4 * ndays - 1, 4 do
  inc(incs, ARGV[k], 'g:' .. ARGV[k + 1], tonumber(ARGV[k + 2]))
end
if undeclared then return redis.error_reply('BADARGS the key ' .. undeclared .. ' is not in KEYS') end
-- each day hash's counters after this commit, from one HMGET per hash: they
-- are written with one HSET per hash below (not one HINCRBY per counter)
local totals = {}
for dk, c in pairs(incs) do
  e = wrongtype(dk, 'hash')
  if e then return redis.error_reply(e) end
  local fields = {}
  for f, _ in pairs(c) do fields[#fields + 1] = f end
  local t, pairs_out = {}, {}
  for a = 1, #fields, 7000 do
    local upto = math.min(#fields, a + 6999)
    local vals = redis.call('HMGET', dk, unpack(fields, a, upto))
    for b = a, upto do
      local v = vals[b - a + 1]
      if v and not isint(v) then
        return redis.error_reply('WRONGTYPE ' .. dk .. ' holds a counter that is not a small integer')
      end
      local n = (v and tonumber(v) or 0) + c[fields[b]]
      t[fields[b]] = n
      pairs_out[#pairs_out + 1] = fields[b]
      pairs_out[#pairs_out + 1] = string.format('%d', n)
    end
  end
  totals[dk] = {t, pairs_out}
end
-- writes: every command below was checked above
-- the purged states go first: a pupil purged by a sweep and then changed by
-- an entry in the same commit (the sweep's changes ride in the batch's
-- commit) keeps its new state
for k = hdel_at, hdel_at + nhdel - 1 do redis.call('HDEL', KEYS[2], ARGV[k]) end
-- one HSET for up to 3,500 states (Lua's stack holds about 8,000 values):
-- one call and one command in the AOF instead of one per state
local last = states_at + 2 * nstates - 1
local k = states_at
while k <= last do
  local upto = math.min(last, k + 6999)
  redis.call('HSET', KEYS[2], unpack(ARGV, k, upto))
  k = upto + 1
end
for _, t in ipairs(fresh) do
  redis.call('HSETNX', KEYS[6], ARGV[t[1] + 1], ARGV[1])
  redis.call('XADD', KEYS[3], '*', unpack(ARGV, t[1], t[1] + t[2] - 1))
end
if #tasks > 0 then redis.call('PEXPIREAT', KEYS[6], ARGV[3]) end
for dk, tp in pairs(totals) do
  local flat = tp[2]
  for a = 1, #flat, 7000 do
    redis.call('HSET', dk, unpack(flat, a, math.min(#flat, a + 6999)))
  end
  redis.call('PEXPIREAT', dk, ARGV[3])
end
if newest then
  local last = redis.call('GET', KEYS[8])
  if not last or last < newest then redis.call('SET', KEYS[8], newest) end
end
for _, d in ipairs(dead) do
  redis.call('XADD', KEYS[4], '*', unpack(ARGV, d[1], d[1] + d[2] - 1))
end
if upto ~= '' then redis.call('HSET', KEYS[5], 'id', upto) end
if tries ~= '' and tries ~= '0' then
  redis.call('HSET', KEYS[5], 'tries', tries)
elseif offset[2] and (upto ~= '' or tries == '0') then
  redis.call('HDEL', KEYS[5], 'tries')
end
if swept ~= '' then redis.call('SET', KEYS[7], swept) end
for k = days_at, days_at + 4 * ndays - 1, 4 do
  local v = totals[KEYS[8] .. ':' .. ARGV[k]][1]['g:' .. ARGV[k + 1]]
  local limit = tonumber(ARGV[k + 3])
  if limit > 0 and v > limit then
    redis.call('SADD', KEYS[9], ARGV[k + 1] .. '|' .. ARGV[k])
  end
end
return #fresh
