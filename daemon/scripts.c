/*
 * scripts: the Lua sources. See scripts.h.
 *
 * Every script that writes more than one thing is all-or-nothing in effect:
 * Redis does not roll a script back when a command inside it fails, so a
 * script first checks everything that could make a later command fail
 * (argument counts and sizes, the types of the keys it writes, the counters
 * it increments) and returns an error before its first write. Only then
 * does it write. (Redis refuses a write for lack of memory only before a
 * script's first write, never in the middle.)
 *
 * COMMIT
 *   KEYS  1 lease, 2 state, 3 tasks, 4 dead, 5 events, 6 task ids (of the
 *         school year), 7 swept, 8 daily (the latest signal date; the
 *         per-day hashes "<daily>:<date>" count tasks per rule "r:<rule>"
 *         and per school "s:<school>", for the status page and the flood
 *         guard)
 *   ARGV  token, group, task ids expiry (ms since the epoch), then
 *         nstates, (student, record)...,
 *         ntasks, (nfields, field, value, ...)...   -- first pair is ("id", task id)
 *         ndead, (nfields, field, value, ...)...,
 *         nacks, id...,
 *         swept ("" = leave as is),
 *         nhdel, student...  -- states of a finished school year to purge
 *         ndays, (date, school, absences, flood limit)...
 *           -- absences per school day, added to "<daily>:<date>" as
 *              "g:<school>"; past the limit (> 0) the school day goes into
 *              quarantine ("vs:{p}:quarantined", see ACCEPT)
 *   Refuses with "LEASE" unless the lease holds the token (fencing), with
 *   "BADARGS ..." when the arguments do not add up (an entry of more than
 *   COMMIT_ENTRY_ARGS_MAX arguments: one XADD takes its fields from Lua's
 *   stack, which holds about 8,000) and with "WRONGTYPE ..." when a key it
 *   writes holds the wrong type or a counter it increments is not a small
 *   integer: in each case before writing anything. A task whose id was
 *   created before is skipped (the task ids hash), so a task is never
 *   written twice, whatever happened before. Returns the number of tasks
 *   created. Acknowledgements go in chunks of 1,000, so any batch size fits.
 */
#include "scripts.h"

/* Arguments of one task or dead-letter entry (field and value each count),
 * the most one XADD in COMMIT accepts; the dead-letter limits of tasks.h
 * stay far below it. */
#define COMMIT_ENTRY_ARGS_MAX "7000"

/* The checks before a script's first write. wrongtype(key, want) describes
 * a key that exists with another type than want (nil when it is fine);
 * wrongtypes({{key, want}...}) the first such key of a list; badargs(why)
 * and baddata(why) are the error replies for arguments that do not add up
 * and for stored data a script cannot use. */
#define CHECK_LUA \
	"local function wrongtype(key, want)\n" \
	"  local t = redis.call('TYPE', key)['ok']\n" \
	"  if t ~= 'none' and t ~= want then\n" \
	"    return 'WRONGTYPE ' .. key .. ' holds a ' .. t .. ', not a ' .. want\n" \
	"  end\n" \
	"end\n" \
	"local function wrongtypes(list)\n" \
	"  for _, w in ipairs(list) do\n" \
	"    local e = wrongtype(w[1], w[2])\n" \
	"    if e then return e end\n" \
	"  end\n" \
	"end\n" \
	"local function badargs(why) return redis.error_reply('BADARGS ' .. why) end\n" \
	"local function baddata(why) return redis.error_reply('BADDATA ' .. why) end\n" \
	"local function isint(v) return type(v) == 'string' and string.match(v, '^%-?%d+$') ~= nil and #v <= 15 end\n"

static const char commit_lua[] =
	"if redis.call('GET', KEYS[1]) ~= ARGV[1] then\n"
	"  return redis.error_reply('LEASE not held')\n"
	"end\n"
	CHECK_LUA
	/* -- checks: nothing below writes until the write phase -- */
	"local pre = string.sub(KEYS[8], 1, -6)\n"
	"local e = wrongtypes({{KEYS[2], 'hash'}, {KEYS[3], 'stream'}, {KEYS[4], 'stream'},\n"
	"  {KEYS[5], 'stream'}, {KEYS[6], 'hash'}, {KEYS[7], 'string'}, {KEYS[8], 'string'},\n"
	"  {pre .. 'quarantined', 'set'}})\n"
	"if e then return redis.error_reply(e) end\n"
	"local nargv, bad = #ARGV, nil\n"
	"local function fail(why) bad = bad or ('BADARGS ' .. why) end\n"
	"local function count(i)\n"
	"  local v = ARGV[i]\n"
	"  if bad or not v or not string.match(v, '^%d+$') or #v > 9 then\n"
	"    fail('argument ' .. i .. ' is not a count'); return 0\n"
	"  end\n"
	"  return tonumber(v)\n"
	"end\n"
	"local function room(i, n)\n"
	"  if i + n - 1 > nargv then fail(n .. ' arguments from ' .. i .. ' missing'); return false end\n"
	"  return not bad\n"
	"end\n"
	"local function entries(i, what)\n"
	"  local n, list = count(i), {}\n"
	"  i = i + 1\n"
	"  for _ = 1, n do\n"
	"    local nf = count(i); i = i + 1\n"
	"    if nf < 2 or nf % 2 == 1 or nf > " COMMIT_ENTRY_ARGS_MAX " then\n"
	"      fail(what .. ' entry of ' .. nf .. ' arguments')\n"
	"    end\n"
	"    if not room(i, nf) then break end\n"
	"    list[#list + 1] = {i, nf}\n"
	"    i = i + nf\n"
	"  end\n"
	"  return list, i\n"
	"end\n"
	"if not string.match(ARGV[3] or '', '^%d+$') then fail('the expiry is not a time') end\n"
	"local i = 4\n"
	"local nstates = count(i); i = i + 1\n"
	"local states_at = i\n"
	"if room(i, 2 * nstates) then i = i + 2 * nstates end\n"
	"local tasks, dead\n"
	"tasks, i = entries(i, 'a task')\n"
	"dead, i = entries(i, 'a dead-letter')\n"
	"local nacks = count(i); i = i + 1\n"
	"local acks_at = i\n"
	"if room(i, nacks) then\n"
	"  for k = i, i + nacks - 1 do\n"
	"    if not string.match(ARGV[k], '^%d+%-%d+$') then fail('argument ' .. k .. ' is not a stream id'); break end\n"
	"  end\n"
	"  i = i + nacks\n"
	"end\n"
	"local swept = ''\n"
	"if room(i, 1) then swept = ARGV[i]; i = i + 1 end\n"
	"local nhdel = count(i); i = i + 1\n"
	"local hdel_at = i\n"
	"if room(i, nhdel) then i = i + nhdel end\n"
	"local ndays = count(i); i = i + 1\n"
	"local days_at = i\n"
	"if room(i, 4 * ndays) then\n"
	"  for k = i, i + 4 * ndays - 1, 4 do\n"
	"    if not string.match(ARGV[k + 2], '^%d+$') or #ARGV[k + 2] > 9 or not tonumber(ARGV[k + 3]) then\n"
	"      fail('school day at ' .. k .. ' has a bad count or limit'); break\n"
	"    end\n"
	"  end\n"
	"  i = i + 4 * ndays\n"
	"end\n"
	"if not bad and i - 1 ~= nargv then fail((nargv - i + 1) .. ' arguments left over') end\n"
	"if bad then return redis.error_reply(bad) end\n"
	/* the tasks not seen before, and what they add to the day counters */
	"local fresh, seen, counts, incs = {}, {}, {}, {}\n"
	"local function inc(t, date, field, by)\n"
	"  local dk = KEYS[8] .. ':' .. date\n"
	"  local c = t[dk] or {}\n"
	"  t[dk] = c\n"
	"  c[field] = (c[field] or 0) + by\n"
	"end\n"
	"local newest = nil\n"
	"for _, t in ipairs(tasks) do\n"
	"  local a, nf = t[1], t[2]\n"
	"  local id = ARGV[a + 1]\n"
	"  if not seen[id] and redis.call('HEXISTS', KEYS[6], id) == 0 then\n"
	"    fresh[#fresh + 1] = t\n"
	"    local rule, school, date\n"
	"    for k = a, a + nf - 2, 2 do\n"
	"      if ARGV[k] == 'rule' then rule = ARGV[k + 1]\n"
	"      elseif ARGV[k] == 'school' then school = ARGV[k + 1]\n"
	"      elseif ARGV[k] == 'date' then date = ARGV[k + 1] end\n"
	"    end\n"
	"    if date and rule and school then\n"
	"      for _, tab in ipairs({counts, incs}) do\n"
	"        inc(tab, date, 'r:' .. rule, 1)\n"
	"        inc(tab, date, 's:' .. school, 1)\n"
	"      end\n"
	"      if not newest or newest < date then newest = date end\n"
	"    end\n"
	"  end\n"
	"  seen[id] = true\n"
	"end\n"
	"for k = days_at, days_at + 4 * ndays - 1, 4 do\n"
	"  inc(incs, ARGV[k], 'g:' .. ARGV[k + 1], tonumber(ARGV[k + 2]))\n"
	"end\n"
	"for dk, c in pairs(incs) do\n"
	"  e = wrongtype(dk, 'hash')\n"
	"  if e then return redis.error_reply(e) end\n"
	"  for f, _ in pairs(c) do\n"
	"    local v = redis.call('HGET', dk, f)\n"
	"    if v and not isint(v) then\n"
	"      return redis.error_reply('WRONGTYPE ' .. dk .. ' holds a counter that is not a small integer')\n"
	"    end\n"
	"  end\n"
	"end\n"
	/* -- writes: every command below was checked above -- */
	"for k = states_at, states_at + 2 * nstates - 1, 2 do\n"
	"  redis.call('HSET', KEYS[2], ARGV[k], ARGV[k + 1])\n"
	"end\n"
	"for _, t in ipairs(fresh) do\n"
	"  redis.call('HSETNX', KEYS[6], ARGV[t[1] + 1], ARGV[1])\n"
	"  redis.call('XADD', KEYS[3], '*', unpack(ARGV, t[1], t[1] + t[2] - 1))\n"
	"end\n"
	"if #tasks > 0 then redis.call('PEXPIREAT', KEYS[6], ARGV[3]) end\n"
	"for dk, c in pairs(counts) do\n"
	"  for f, v in pairs(c) do redis.call('HINCRBY', dk, f, v) end\n"
	"  redis.call('PEXPIREAT', dk, ARGV[3])\n"
	"end\n"
	"if newest then\n"
	"  local last = redis.call('GET', KEYS[8])\n"
	"  if not last or last < newest then redis.call('SET', KEYS[8], newest) end\n"
	"end\n"
	"for _, d in ipairs(dead) do\n"
	"  redis.call('XADD', KEYS[4], '*', unpack(ARGV, d[1], d[1] + d[2] - 1))\n"
	"end\n"
	"local j = 0\n"
	"while j < nacks do\n"
	"  local k = math.min(nacks - j, 1000)\n"
	"  redis.call('XACK', KEYS[5], ARGV[2], unpack(ARGV, acks_at + j, acks_at + j + k - 1))\n"
	"  j = j + k\n"
	"end\n"
	"if swept ~= '' then redis.call('SET', KEYS[7], swept) end\n"
	"for k = hdel_at, hdel_at + nhdel - 1 do redis.call('HDEL', KEYS[2], ARGV[k]) end\n"
	"for k = days_at, days_at + 4 * ndays - 1, 4 do\n"
	"  local dk = KEYS[8] .. ':' .. ARGV[k]\n"
	"  local v = redis.call('HINCRBY', dk, 'g:' .. ARGV[k + 1], ARGV[k + 2])\n"
	"  redis.call('PEXPIREAT', dk, ARGV[3])\n"
	"  local limit = tonumber(ARGV[k + 3])\n"
	"  if limit > 0 and v > limit then\n"
	"    redis.call('SADD', pre .. 'quarantined', ARGV[k + 1] .. '|' .. ARGV[k])\n"
	"  end\n"
	"end\n"
	"return #fresh\n";

/* KEYS 1 lease; ARGV token ("consumer/random"), consumer, ttl ms. */
static const char lease_take_lua[] =
	"local v = redis.call('GET', KEYS[1])\n"
	"if not v or v == ARGV[1] or string.sub(v, 1, #ARGV[2] + 1) == ARGV[2] .. '/' then\n"
	"  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])\n"
	"  return 1\n"
	"end\n"
	"return 0\n";

/* KEYS 1 lease; ARGV token, ttl ms. */
static const char lease_renew_lua[] =
	"if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
	"  redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
	"  return 1\n"
	"end\n"
	"return 0\n";

/* KEYS 1 lease; ARGV token. */
static const char lease_drop_lua[] =
	"if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
	"  redis.call('DEL', KEYS[1])\n"
	"  return 1\n"
	"end\n"
	"return 0\n";

/* KEYS 1 events; ARGV group, retention cutoff id ("ms-0"). Trims entries
 * older than both the oldest pending entry (or, with none pending, the last
 * delivered one) and the cutoff: never an unprocessed entry. Returns the
 * number of entries removed. */
static const char trim_lua[] =
	"local function parse(id)\n"
	"  local ms, seq = string.match(id, '^(%d+)-(%d+)$')\n"
	"  return tonumber(ms), tonumber(seq)\n"
	"end\n"
	"local function less(a, b)\n"
	"  local am, as = parse(a); local bm, bs = parse(b)\n"
	"  return am < bm or (am == bm and as < bs)\n"
	"end\n"
	"local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[1])\n"
	"if not ok then return 0 end\n"
	"local floor = nil\n"
	"for _, g in ipairs(groups) do\n"
	"  local name, last, pending\n"
	"  for j = 1, #g, 2 do\n"
	"    if g[j] == 'name' then name = g[j + 1] end\n"
	"    if g[j] == 'last-delivered-id' then last = g[j + 1] end\n"
	"    if g[j] == 'pending' then pending = g[j + 1] end\n"
	"  end\n"
	"  if name == ARGV[1] then\n"
	"    floor = last\n"
	"    if pending > 0 then\n"
	"      floor = redis.call('XPENDING', KEYS[1], name)[2]\n"
	"    end\n"
	"  end\n"
	"end\n"
	"if not floor then return 0 end\n"
	"if less(ARGV[2], floor) then floor = ARGV[2] end\n"
	"return redis.call('XTRIM', KEYS[1], 'MINID', floor)\n";


/* ---- dispatch (docs/redis-keys.md, "Tasks and deliveries") -------------
 * Every key is built from the partition's prefix "vs:{p}:" (ARGV), so all
 * of them share the partition's hash tag and slot. */

/* Builds a task entry derived from task record t (an escalation or a
 * referral) and XADDs it to the tasks stream: the dispatcher then treats it
 * like any other task. Every value goes through tostring, so no record's
 * content can make the XADD fail. decode(json) is a task record's JSON as a table, nil
 * when it is unreadable (so that no script fails on it half-way). */
#define DERIVED_LUA \
	"local function derived(stream, t, extra, roles, created, window)\n" \
	"  local f = {}\n" \
	"  for k, v in pairs(extra) do f[#f + 1] = k; f[#f + 1] = tostring(v) end\n" \
	"  for _, k in ipairs({'rule', 'level', 'trigger', 'student', 'school', 'sector', 'date', 'period_key'}) do\n" \
	"    if t[k] ~= nil then f[#f + 1] = k; f[#f + 1] = tostring(t[k]) end\n" \
	"  end\n" \
	"  if tonumber(t.age) then f[#f + 1] = 'age'; f[#f + 1] = string.format('%d', tonumber(t.age)) end\n" \
	"  f[#f + 1] = 'facts'; f[#f + 1] = t.facts and cjson.encode(t.facts) or '{}'\n" \
	"  for _, kv in ipairs({{'roles', roles}, {'created_at', created}, {'window_hours', window}}) do\n" \
	"    f[#f + 1] = kv[1]; f[#f + 1] = tostring(kv[2] or '')\n" \
	"  end\n" \
	"  redis.call('XADD', stream, '*', unpack(f))\n" \
	"end\n" \
	"local function decode(json)\n" \
	"  local ok, t = pcall(cjson.decode, json or '')\n" \
	"  if ok and type(t) == 'table' then return t end\n" \
	"end\n" \
	"local function derived_id(seed)\n" \
	"  return 'vs' .. string.sub(redis.sha1hex(seed), 1, 16)\n" \
	"end\n"

/* ACCEPT
 *   KEYS  1 lease, 2 tasks, 3 due, 4 audit
 *   ARGV  token, group, prefix, now ms, record ttl ms, n, then per entry:
 *         stream id, task id, record JSON, student, partners (csv), roles
 *         (csv), school, signal date, flood limit (0 none), released (1: out
 *         of quarantine), nassign,
 *         (partner, role, due ms, remind ms or 0, legal basis, fields csv)...,
 *         nunrouted, role...
 *   A task seen before (a re-read entry) is only acknowledged again. The
 *   flood guard: when the tasks of the entry's school on its signal date
 *   (counted by COMMIT in "<daily>:<date>") exceed the limit, that school
 *   day is quarantined (SADD "quarantined") and its new tasks go to the
 *   "quarantine" stream instead of to partners, until an operator releases
 *   or discards them (QUARANTINE).
 *   Returns {tasks created, {school days newly quarantined...}, tasks held}. */
static const char accept_lua[] =
	"if redis.call('GET', KEYS[1]) ~= ARGV[1] then\n"
	"  return redis.error_reply('LEASE not held')\n"
	"end\n"
	CHECK_LUA
	"local pre, now = ARGV[3], ARGV[4]\n"
	"if not tonumber(now) or not tonumber(ARGV[5]) or not tonumber(ARGV[6]) then\n"
	"  return badargs('now, ttl or count')\n"
	"end\n"
	"local keys = {{KEYS[2], 'stream'}, {KEYS[3], 'zset'}, {KEYS[4], 'stream'},\n"
	"  {pre .. 'quarantine', 'stream'}, {pre .. 'quarantined', 'set'}}\n"
	"local e = wrongtypes(keys)\n"
	"if e then return redis.error_reply(e) end\n"
	"local i = 7\n"
	"for _ = 1, tonumber(ARGV[6]) do\n"
	"  if i + 10 > #ARGV then return badargs('an entry is cut short') end\n"
	"  local school, date, limit = ARGV[i + 6], ARGV[i + 7], tonumber(ARGV[i + 8])\n"
	"  local na = tonumber(ARGV[i + 10])\n"
	"  if not limit or not na or not string.match(ARGV[i], '^%d+%-%d+$') then\n"
	"    return badargs('entry at ' .. i)\n"
	"  end\n"
	"  keys[#keys + 1] = {pre .. 'task:' .. ARGV[i + 1], 'hash'}\n"
	"  if limit > 0 and school ~= '' and date ~= '' then\n"
	"    local dk = pre .. 'daily:' .. date\n"
	"    e = wrongtype(dk, 'hash')\n"
	"    if e then return redis.error_reply(e) end\n"
	"    local v = redis.call('HGET', dk, 's:' .. school)\n"
	"    if v and not isint(v) then return baddata(dk .. ' holds a count that is not a number') end\n"
	"  end\n"
	"  i = i + 11\n"
	"  if i + 6 * na > #ARGV then return badargs('assignments cut short') end\n"
	"  for _ = 1, na do\n"
	"    if not tonumber(ARGV[i + 2]) or not tonumber(ARGV[i + 3]) then\n"
	"      return badargs('assignment at ' .. i)\n"
	"    end\n"
	"    keys[#keys + 1] = {pre .. 'outbox:' .. ARGV[i], 'zset'}\n"
	"    keys[#keys + 1] = {pre .. 'open:' .. ARGV[i], 'zset'}\n"
	"    i = i + 6\n"
	"  end\n"
	"  local nu = tonumber(ARGV[i])\n"
	"  if not nu or i + nu > #ARGV then return badargs('unrouted roles at ' .. i) end\n"
	"  i = i + 1 + nu\n"
	"end\n"
	"if i - 1 ~= #ARGV then return badargs('arguments left over') end\n"
	"e = wrongtypes(keys)\n"
	"if e then return redis.error_reply(e) end\n"
	"local created, held, newly = 0, 0, {}\n"
	"i = 7\n"
	"for _ = 1, tonumber(ARGV[6]) do\n"
	"  local eid, id, json, student, plist = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]\n"
	"  local roles, school, date, limit, released = ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], tonumber(ARGV[i + 8]), ARGV[i + 9]\n"
	"  local na = tonumber(ARGV[i + 10]); i = i + 11\n"
	"  local tk = pre .. 'task:' .. id\n"
	"  local fresh = redis.call('EXISTS', tk) == 0\n"
	"  if fresh and released ~= '1' and limit > 0 and school ~= '' and date ~= '' then\n"
	"    local qk = school .. '|' .. date\n"
	"    local hold = redis.call('SISMEMBER', pre .. 'quarantined', qk) == 1\n"
	"    if not hold and tonumber(redis.call('HGET', pre .. 'daily:' .. date, 's:' .. school) or '0') > limit then\n"
	"      hold = true\n"
	"      redis.call('SADD', pre .. 'quarantined', qk)\n"
	"      newly[#newly + 1] = qk\n"
	"    end\n"
	"    if hold then\n"
	"      redis.call('XADD', pre .. 'quarantine', '*', 'key', qk, 'task', id, 'json', json, 'roles', roles, 'student', student)\n"
	"      redis.call('XADD', KEYS[4], '*', 'event', 'quarantined', 'task', id, 'student', student, 'detail', qk, 'at', now)\n"
	"      fresh = false\n"
	"      held = held + 1\n"
	"    end\n"
	"  end\n"
	"  if fresh then\n"
	"    redis.call('HSET', tk, 'json', json, 'student', student, 'partners', plist, 'created_ms', now)\n"
	"    redis.call('PEXPIRE', tk, ARGV[5])\n"
	"    created = created + 1\n"
	"  end\n"
	"  for _ = 1, na do\n"
	"    local pid, role, due, remind = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]\n"
	"    if fresh then\n"
	"      redis.call('HSET', tk, pid .. '.state', 'open', pid .. '.role', role, pid .. '.due', due,\n"
	"                 pid .. '.delivery', 'pending', pid .. '.attempts', 0, pid .. '.via', 'primary')\n"
	"      redis.call('ZADD', pre .. 'outbox:' .. pid, now, id .. '|task')\n"
	"      redis.call('ZADD', KEYS[3], due, 'due|' .. id .. '|' .. pid)\n"
	"      if remind ~= '0' then redis.call('ZADD', KEYS[3], remind, 'remind|' .. id .. '|' .. pid) end\n"
	"      redis.call('ZADD', pre .. 'open:' .. pid, due, id)\n"
	"      redis.call('XADD', KEYS[4], '*', 'event', 'assigned', 'task', id, 'partner', pid, 'role', role,\n"
	"                 'student', student, 'fields', ARGV[i + 5], 'legal_basis', ARGV[i + 4], 'at', now)\n"
	"    end\n"
	"    i = i + 6\n"
	"  end\n"
	"  local nu = tonumber(ARGV[i]); i = i + 1\n"
	"  for _ = 1, nu do\n"
	"    if fresh then\n"
	"      redis.call('XADD', KEYS[4], '*', 'event', 'unrouted', 'task', id, 'role', ARGV[i], 'student', student, 'at', now)\n"
	"    end\n"
	"    i = i + 1\n"
	"  end\n"
	"  redis.call('XACK', KEYS[2], ARGV[2], eid)\n"
	"end\n"
	"return {created, newly, held}\n";

/* TAKE
 *   KEYS  1 lease, 2 outbox of the partner
 *   ARGV  token, prefix, partner, now ms, limit, hold ms
 *   Returns {{member, record, due ms, via, attempts, student, created ms,
 *   first failed attempt ms, alerted}..., next score or ""}. A taken member is held (its score moved hold ms
 *   ahead) while in flight: if this daemon dies, it is sent again then. */
static const char take_lua[] =
	"if redis.call('GET', KEYS[1]) ~= ARGV[1] then\n"
	"  return redis.error_reply('LEASE not held')\n"
	"end\n"
	CHECK_LUA
	"local out = {}\n"
	"local pid, now = ARGV[3], tonumber(ARGV[4])\n"
	"if not now or not tonumber(ARGV[5]) or not tonumber(ARGV[6]) then return badargs('now, limit or hold') end\n"
	"local e = wrongtype(KEYS[2], 'zset')\n"
	"if e then return redis.error_reply(e) end\n"
	"local members = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, ARGV[5])\n"
	"local keys = {}\n"
	"for _, m in ipairs(members) do\n"
	"  local id = string.match(m, '^(.*)|%a+$')\n"
	"  if id then keys[#keys + 1] = {ARGV[2] .. 'task:' .. id, 'hash'} end\n"
	"end\n"
	"e = wrongtypes(keys)\n"
	"if e then return redis.error_reply(e) end\n"
	"for _, m in ipairs(members) do\n"
	"  local id, kind = string.match(m, '^(.*)|(%a+)$')\n"
	"  local v = {}\n" /* a member of no known form is dropped */
	"  if id then\n"
	"    v = redis.call('HMGET', ARGV[2] .. 'task:' .. id, 'json', pid .. '.state', pid .. '.due',\n"
	"                   pid .. '.via', pid .. '.attempts', 'student', 'created_ms',\n"
	"                   pid .. '.first_ms', pid .. '.alerted')\n"
	"  end\n"
	"  if not v[1] or not v[2] or (kind == 'reminder' and v[2] ~= 'open') then\n"
	"    redis.call('ZREM', KEYS[2], m)\n"
	"  else\n"
	"    redis.call('ZADD', KEYS[2], now + tonumber(ARGV[6]), m)\n"
	"    out[#out + 1] = {m, v[1], v[3], v[4], v[5], v[6], v[7], v[8], v[9]}\n"
	"  end\n"
	"end\n"
	"local nxt = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')\n"
	"return {out, nxt[2] or ''}\n";

/* RESULT
 *   KEYS  1 lease, 2 outbox of the partner, 3 audit
 *   ARGV  token, prefix, partner, member, outcome (delivered|retry|failed),
 *         next attempt ms, now ms, detail, fields csv, legal basis,
 *         undeliverable after ms, has fallback (0|1), via, connector
 *   Returns "ok", "gone" (the record expired), "fallback" (switched to the
 *   fallback connector), "alert" (not delivered in time, still retried) or
 *   "failed" (given up). */
static const char result_lua[] =
	"if redis.call('GET', KEYS[1]) ~= ARGV[1] then\n"
	"  return redis.error_reply('LEASE not held')\n"
	"end\n"
	CHECK_LUA
	"local pid, m, outcome, now = ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[7])\n"
	"local id, kind = string.match(m, '^(.*)|(%a+)$')\n"
	"if not id or not now or not tonumber(ARGV[6]) or not tonumber(ARGV[11]) then\n"
	"  return badargs('member, next, now or undeliverable time')\n"
	"end\n"
	"local tk = ARGV[2] .. 'task:' .. id\n"
	"local e = wrongtypes({{KEYS[2], 'zset'}, {KEYS[3], 'stream'}, {tk, 'hash'}})\n"
	"if e then return redis.error_reply(e) end\n"
	"if redis.call('EXISTS', tk) == 0 then redis.call('ZREM', KEYS[2], m); return 'gone' end\n"
	"local student = redis.call('HGET', tk, 'student') or ''\n"
	/* an attempts counter that is no number counts from 0 again */
	"if redis.call('HEXISTS', tk, pid .. '.attempts') == 1 and not isint(redis.call('HGET', tk, pid .. '.attempts')) then\n"
	"  redis.call('HSET', tk, pid .. '.attempts', 0)\n"
	"end\n"
	"local function audit(event)\n"
	"  redis.call('XADD', KEYS[3], '*', 'event', event, 'task', id, 'partner', pid, 'student', student,\n"
	"             'kind', kind, 'connector', ARGV[14], 'via', ARGV[13], 'fields', ARGV[9],\n"
	"             'legal_basis', ARGV[10], 'detail', ARGV[8], 'at', ARGV[7])\n"
	"end\n"
	"if outcome == 'delivered' then\n"
	"  redis.call('ZREM', KEYS[2], m)\n"
	"  if kind == 'task' then\n"
	"    redis.call('HINCRBY', tk, pid .. '.attempts', 1)\n"
	"    redis.call('HSET', tk, pid .. '.delivery', 'delivered', pid .. '.delivered_ms', ARGV[7])\n"
	"  end\n"
	"  audit(kind == 'task' and 'delivered' or 'reminder_delivered')\n"
	"  return 'ok'\n"
	"end\n"
	"audit(outcome == 'failed' and 'delivery_failed' or 'delivery_retry')\n"
	"if kind ~= 'task' then\n"
	"  if outcome == 'failed' then redis.call('ZREM', KEYS[2], m) else redis.call('ZADD', KEYS[2], ARGV[6], m) end\n"
	"  return 'ok'\n"
	"end\n"
	"redis.call('HINCRBY', tk, pid .. '.attempts', 1)\n"
	"local first = tonumber(redis.call('HGET', tk, pid .. '.first_ms'))\n"
	"if not first then first = now; redis.call('HSET', tk, pid .. '.first_ms', ARGV[7]) end\n"
	"local late = now - first >= tonumber(ARGV[11]) and redis.call('HGET', tk, pid .. '.alerted') ~= '1'\n"
	"if outcome == 'failed' or late then\n"
	"  if ARGV[12] == '1' and redis.call('HGET', tk, pid .. '.via') ~= 'fallback' then\n"
	"    redis.call('HSET', tk, pid .. '.via', 'fallback', pid .. '.first_ms', ARGV[7], pid .. '.delivery', 'fallback')\n"
	"    redis.call('ZADD', KEYS[2], ARGV[7], m)\n"
	"    audit('fallback')\n"
	"    return 'fallback'\n"
	"  end\n"
	"  audit('undeliverable')\n"
	"  if outcome == 'failed' then\n"
	"    redis.call('HSET', tk, pid .. '.delivery', 'failed')\n"
	"    redis.call('ZREM', KEYS[2], m)\n"
	"    return 'failed'\n"
	"  end\n"
	"  redis.call('HSET', tk, pid .. '.alerted', '1', pid .. '.delivery', 'undeliverable')\n"
	"  redis.call('ZADD', KEYS[2], ARGV[6], m)\n"
	"  return 'alert'\n"
	"end\n"
	"redis.call('ZADD', KEYS[2], ARGV[6], m)\n"
	"return 'ok'\n";

/* DUE
 *   KEYS  1 lease, 2 due, 3 tasks, 4 audit
 *   ARGV  token, prefix, now ms, limit, now (RFC 3339), window hours
 *   Fires the reminders and due times that have come: a reminder goes to
 *   the partner's outbox; an assignment still open when due becomes
 *   overdue and, unless it is itself an escalation or the escalation role's
 *   own assignment, gets an escalation task
 *   (XADD to the tasks stream, id derived from the task and the partner).
 *   Returns {members handled, {partners with a reminder...}, escalations}. */
static const char due_lua[] =
	"if redis.call('GET', KEYS[1]) ~= ARGV[1] then\n"
	"  return redis.error_reply('LEASE not held')\n"
	"end\n"
	DERIVED_LUA
	CHECK_LUA
	"local pre, now = ARGV[2], ARGV[3]\n"
	"if not tonumber(now) or not tonumber(ARGV[4]) then return badargs('now or limit') end\n"
	"local e = wrongtypes({{KEYS[2], 'zset'}, {KEYS[3], 'stream'}, {KEYS[4], 'stream'}})\n"
	"if e then return redis.error_reply(e) end\n"
	"local items = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, ARGV[4])\n"
	"local keys = {}\n"
	"for _, m in ipairs(items) do\n"
	"  local what, id, pid = string.match(m, '^(%a+)|([^|]+)|(.+)$')\n"
	"  if what then\n"
	"    keys[#keys + 1] = {pre .. 'task:' .. id, 'hash'}\n"
	"    keys[#keys + 1] = {pre .. 'outbox:' .. pid, 'zset'}\n"
	"  end\n"
	"end\n"
	"e = wrongtypes(keys)\n"
	"if e then return redis.error_reply(e) end\n"
	"local partners, nesc = {}, 0\n"
	"for _, m in ipairs(items) do\n"
	"  redis.call('ZREM', KEYS[2], m)\n"
	"  local what, id, pid = string.match(m, '^(%a+)|([^|]+)|(.+)$')\n"
	"  local v = {}\n" /* an item of no known form is dropped */
	"  if what then\n"
	"    v = redis.call('HMGET', pre .. 'task:' .. id, 'json', pid .. '.state', 'student', pid .. '.role')\n"
	"    v[3], v[4] = v[3] or '', v[4] or ''\n"
	"  end\n"
	"  local tk = what and pre .. 'task:' .. id\n"
	"  if v[1] and v[2] == 'open' then\n"
	"    if what == 'remind' then\n"
	"      redis.call('ZADD', pre .. 'outbox:' .. pid, now, id .. '|reminder')\n"
	"      redis.call('XADD', KEYS[4], '*', 'event', 'reminder', 'task', id, 'partner', pid, 'student', v[3], 'at', now)\n"
	"      partners[#partners + 1] = pid\n"
	"    else\n"
	"      redis.call('HSET', tk, pid .. '.state', 'overdue')\n"
	"      local t = decode(v[1])\n" /* unreadable: overdue, but no escalation to build */
	"      local esc = ''\n"
	"      if t and t.kind ~= 'escalation' and v[4] ~= 'escalation' then\n"
	"        esc = derived_id('escalation|' .. id .. '|' .. pid)\n"
	"        derived(KEYS[3], t, {id = esc, kind = 'escalation', escalates = id, escalated_partner = pid,\n"
	"                escalated_role = v[4]}, 'escalation', ARGV[5], ARGV[6])\n"
	"        nesc = nesc + 1\n"
	"      end\n"
	"      redis.call('XADD', KEYS[4], '*', 'event', 'overdue', 'task', id, 'partner', pid, 'student', v[3],\n"
	"                 'escalation', esc, 'at', now, 'detail', t and '' or 'task record unreadable')\n"
	"    end\n"
	"  end\n"
	"end\n"
	"return {#items, partners, nesc}\n";

/* ACK
 *   KEYS  1 audit, 2 tasks, 3 due
 *   ARGV  prefix, task id, partner, outcome, note, now ms, now (RFC 3339),
 *         window hours
 *   Returns {status, referral id or ""}: status NOTFOUND (no such task in
 *   this partition), FORBIDDEN (not this partner's task), REPEAT (the same
 *   outcome again: harmless), CONFLICT:<outcome> (acknowledged before with
 *   another outcome), OK or LATE (acknowledged after it was due). MAZL with
 *   consult_requested creates the referral task for the jeugdarts. */
static const char ack_lua[] =
	DERIVED_LUA
	CHECK_LUA
	"local pre, id, pid, outcome = ARGV[1], ARGV[2], ARGV[3], ARGV[4]\n"
	"local tk = pre .. 'task:' .. id\n"
	"local e = wrongtypes({{tk, 'hash'}, {KEYS[1], 'stream'}, {KEYS[2], 'stream'}, {KEYS[3], 'zset'},\n"
	"  {pre .. 'open:' .. pid, 'zset'}})\n"
	"if e then return redis.error_reply(e) end\n"
	"if redis.call('EXISTS', tk) == 0 then return {'NOTFOUND', ''} end\n"
	"local v = redis.call('HMGET', tk, pid .. '.state', 'json', 'student', pid .. '.outcome')\n"
	"v[3], v[4] = v[3] or '', v[4] or ''\n"
	"if not v[1] then return {'FORBIDDEN', ''} end\n"
	"if v[1] == 'acked' then\n"
	"  if v[4] == outcome then return {'REPEAT', ''} end\n"
	"  return {'CONFLICT:' .. v[4], ''}\n"
	"end\n"
	"local status = v[1] == 'overdue' and 'LATE' or 'OK'\n"
	"local t = decode(v[2]) or {}\n" /* unreadable: acknowledged, no referral */
	"redis.call('HSET', tk, pid .. '.state', 'acked', pid .. '.outcome', outcome, pid .. '.note', ARGV[5],\n"
	"           pid .. '.acked_ms', ARGV[6])\n"
	"redis.call('ZREM', KEYS[3], 'due|' .. id .. '|' .. pid, 'remind|' .. id .. '|' .. pid)\n"
	"redis.call('ZREM', pre .. 'open:' .. pid, id)\n"
	"redis.call('XADD', KEYS[1], '*', 'event', 'acknowledged', 'task', id, 'partner', pid, 'student', v[3],\n"
	"           'outcome', outcome, 'late', status == 'LATE' and '1' or '0', 'at', ARGV[6])\n"
	"local ref = ''\n"
	"if outcome == 'consult_requested' and t.rule == 'mazl' and (t.kind == nil or t.kind == 'task') then\n"
	"  ref = derived_id('referral|' .. id)\n"
	"  derived(KEYS[2], t, {id = ref, kind = 'referral', refers = id}, 'jeugdarts', ARGV[7], ARGV[8])\n"
	"  redis.call('XADD', KEYS[1], '*', 'event', 'referral', 'task', id, 'partner', pid, 'student', v[3],\n"
	"             'referral', ref, 'at', ARGV[6])\n"
	"end\n"
	"return {status, ref}\n";

/* QUARANTINE
 *   KEYS  1 quarantine stream, 2 quarantined set, 3 tasks, 4 audit
 *   ARGV  prefix, school day ("<school>|<date>", or "*" for all), action
 *         (release|discard), now ms, window hours
 *   Releases (back to the tasks stream, marked released so the flood guard
 *   lets them through) or discards the held tasks of a school day, and
 *   lifts its quarantine. Returns the number of tasks handled. */
static const char quarantine_lua[] =
	DERIVED_LUA
	CHECK_LUA
	"local bad = wrongtypes({{KEYS[1], 'stream'}, {KEYS[2], 'set'}, {KEYS[3], 'stream'}, {KEYS[4], 'stream'}})\n"
	"if bad then return redis.error_reply(bad) end\n"
	"local todo = {}\n"
	"for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do\n"
	"  local f = {}\n"
	"  for k = 1, #e[2], 2 do f[e[2][k]] = e[2][k + 1] end\n"
	"  if ARGV[2] == '*' or f.key == ARGV[2] then\n"
	"    local t = decode(f.json)\n"
	"    if ARGV[3] == 'release' and not t then\n"
	"      return baddata('held task ' .. tostring(f.task) .. ' is unreadable: discard it')\n"
	"    end\n"
	"    todo[#todo + 1] = {e, f, t}\n"
	"  end\n"
	"end\n"
	"local n = 0\n"
	"for _, x in ipairs(todo) do\n"
	"  local e, f, t = x[1], x[2], x[3]\n"
	"  if ARGV[3] == 'release' then\n"
	"    derived(KEYS[3], t, {id = t.id, kind = t.kind, released = '1', escalates = t.escalates,\n"
	"            escalated_partner = t.escalated_partner, escalated_role = t.escalated_role,\n"
	"            refers = t.refers}, f.roles, t.created_at, t.window_hours or ARGV[5])\n"
	"  end\n"
	"  redis.call('XDEL', KEYS[1], e[1])\n"
	"  redis.call('XADD', KEYS[4], '*', 'event', ARGV[3] == 'release' and 'released' or 'discarded',\n"
	"             'task', f.task or '', 'student', f.student or '', 'detail', f.key or '', 'at', ARGV[4])\n"
	"  n = n + 1\n"
	"end\n"
	"if ARGV[2] == '*' then redis.call('DEL', KEYS[2]) else redis.call('SREM', KEYS[2], ARGV[2]) end\n"
	"return n\n";

/* REQUEUE
 *   KEYS  1 dead, 2 events
 *   ARGV  reason ("" any), dead-letter stream id ("" any)
 *   Puts matching dead letters' original fields back on the event stream
 *   (a new entry) and deletes them from the dead letters, atomically.
 *   Returns the number requeued. */
static const char requeue_lua[] =
	CHECK_LUA
	"local bad = wrongtypes({{KEYS[1], 'stream'}, {KEYS[2], 'stream'}})\n"
	"if bad then return redis.error_reply(bad) end\n"
	"local todo = {}\n"
	"for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do\n"
	"  local f, orig, reason = e[2], {}, nil\n"
	"  for k = 1, #f, 2 do\n"
	"    if f[k] == 'reason' then reason = f[k + 1] end\n"
	"    if string.sub(f[k], 1, 6) == 'field.' then\n"
	"      orig[#orig + 1] = string.sub(f[k], 7); orig[#orig + 1] = f[k + 1]\n"
	"    end\n"
	"  end\n"
	"  if (ARGV[1] == '' or ARGV[1] == reason) and (ARGV[2] == '' or ARGV[2] == e[1]) and #orig > 0 then\n"
	"    if #orig > " COMMIT_ENTRY_ARGS_MAX " then\n"
	"      return baddata('dead letter ' .. e[1] .. ' has too many fields to requeue')\n"
	"    end\n"
	"    todo[#todo + 1] = {e[1], orig}\n"
	"  end\n"
	"end\n"
	"for _, x in ipairs(todo) do\n"
	"  redis.call('XADD', KEYS[2], '*', unpack(x[2]))\n"
	"  redis.call('XDEL', KEYS[1], x[1])\n"
	"end\n"
	"return #todo\n";

/* REDELIVER
 *   KEYS  1 the partner's outbox, 2 audit
 *   ARGV  prefix, task id, partner, now ms
 *   An assignment whose delivery failed for good (or is undeliverable) is
 *   sent again from scratch: attempts, alert and connector reset, due in
 *   the outbox now. Returns "OK", "NOTFOUND" (no such task or assignment)
 *   or "DELIVERED" (nothing to do). */
static const char redeliver_lua[] =
	CHECK_LUA
	"local tk = ARGV[1] .. 'task:' .. ARGV[2]\n"
	"local pid = ARGV[3]\n"
	"local e = wrongtypes({{tk, 'hash'}, {KEYS[1], 'zset'}, {KEYS[2], 'stream'}})\n"
	"if e then return redis.error_reply(e) end\n"
	"local v = redis.call('HMGET', tk, pid .. '.delivery', 'student')\n"
	"if not v[1] then return 'NOTFOUND' end\n"
	"if v[1] == 'delivered' then return 'DELIVERED' end\n"
	"redis.call('HSET', tk, pid .. '.delivery', 'pending', pid .. '.attempts', 0, pid .. '.via', 'primary')\n"
	"redis.call('HDEL', tk, pid .. '.first_ms', pid .. '.alerted')\n"
	"redis.call('ZADD', KEYS[1], ARGV[4], ARGV[2] .. '|task')\n"
	"redis.call('XADD', KEYS[2], '*', 'event', 'redeliver', 'task', ARGV[2], 'partner', pid,\n"
	"           'student', v[2] or '', 'at', ARGV[4])\n"
	"return 'OK'\n";

/* LIST
 *   KEYS  1 open tasks of the partner (sorted by due time)
 *   ARGV  prefix, partner, max due ms ("+inf" for all open), limit
 *   Returns {{id, record, due ms, state, delivery, via}...}. */
static const char list_lua[] =
	CHECK_LUA
	"local out = {}\n"
	"local pid = ARGV[2]\n"
	"local e = wrongtype(KEYS[1], 'zset')\n"
	"if e then return redis.error_reply(e) end\n"
	"local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3], 'LIMIT', 0, ARGV[4])\n"
	"local keys = {}\n"
	"for _, id in ipairs(ids) do keys[#keys + 1] = {ARGV[1] .. 'task:' .. id, 'hash'} end\n"
	"e = wrongtypes(keys)\n"
	"if e then return redis.error_reply(e) end\n"
	"for _, id in ipairs(ids) do\n"
	"  local v = redis.call('HMGET', ARGV[1] .. 'task:' .. id, 'json', pid .. '.due', pid .. '.state',\n"
	"                       pid .. '.delivery', pid .. '.via')\n"
	"  if v[1] then out[#out + 1] = {id, v[1], v[2], v[3], v[4], v[5]}\n"
	"  else redis.call('ZREM', KEYS[1], id) end -- the record expired\n"
	"end\n"
	"return out\n";

static const struct {
	const char *name;
	const char *source;
} scripts[SCRIPT_COUNT] = {
	[SCRIPT_COMMIT] = {"commit", commit_lua},
	[SCRIPT_LEASE_TAKE] = {"lease_take", lease_take_lua},
	[SCRIPT_LEASE_RENEW] = {"lease_renew", lease_renew_lua},
	[SCRIPT_LEASE_DROP] = {"lease_drop", lease_drop_lua},
	[SCRIPT_TRIM] = {"trim", trim_lua},
	[SCRIPT_ACCEPT] = {"accept", accept_lua},
	[SCRIPT_TAKE] = {"take", take_lua},
	[SCRIPT_RESULT] = {"result", result_lua},
	[SCRIPT_DUE] = {"due", due_lua},
	[SCRIPT_ACK] = {"ack", ack_lua},
	[SCRIPT_LIST] = {"list", list_lua},
	[SCRIPT_QUARANTINE] = {"quarantine", quarantine_lua},
	[SCRIPT_REQUEUE] = {"requeue", requeue_lua},
	[SCRIPT_REDELIVER] = {"redeliver", redeliver_lua},
};

const char *script_source(enum script_id id)
{
	return scripts[id].source;
}

const char *script_name(enum script_id id)
{
	return scripts[id].name;
}
