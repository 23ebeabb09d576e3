-- Task records (docs/redis-keys.md): the task's JSON is kept in fields
-- "j1".."j<n>" of at most 64 bytes each, so that the record stays within
-- Redis' hash-max-listpack-value (64) and is stored as a listpack: one
-- longer value turns the whole hash into a hashtable, about twice the
-- memory. With "jk" = n (written since 2026-11-30) the JSON's most common
-- member names, '"<name>":', are each kept as one byte, 1 to 31 (the
-- dictionary below, in this order, never to be changed: records written with
-- it must read; store/recordjson.c holds the same, for the dispatcher, which
-- codes the names before ACCEPT, and for readers); valid JSON has no raw
-- byte below 32, so the bytes are unambiguous, and a JSON with one is kept
-- as it is with "jn" = n. Records written before keep it whole in "json" or
-- in chunks with "jn".
local json_chunk = 64
local json_names = {'id', 'kind', 'rule', 'level', 'trigger', 'student', 'school', 'sector', 'date',
  'period_key', 'created_at', 'age', 'window_hours', 'facts', 'escalates', 'escalated_partner',
  'escalated_role', 'refers', 'enrolled_days', 'rate_pct', 'persist_days', 'missed_minutes',
  'full_day_minutes', 'band_since', 'window_first', 'window_weeks', 'sick_reports', 'first_report',
  'window_last', 'absent_days', 'run_first'}
local json_code, json_member = {}, {}
for k, name in ipairs(json_names) do
  json_code[name] = string.char(k)
  json_member[string.char(k)] = '"' .. name .. '":'
end
-- A JSON with its names one byte each, the names written out again.
local function json_written_out(coded)
  return (string.gsub(coded, '[\1-\31]', json_member))
end
-- The field/value arguments for HSET that hold json (coded: its names are
-- already one byte each).
local function task_json_fields(json, coded)
  local count = 'jn'
  if coded then
    count = 'jk'
  elseif not string.find(json, '[%z\1-\31]') then
    json = string.gsub(json, '"([%w_]+)":', json_code)
    count = 'jk'
  end
  local f, n = {}, 0
  for p = 1, #json, json_chunk do
    n = n + 1
    f[#f + 1] = 'j' .. n
    f[#f + 1] = string.sub(json, p, p + json_chunk - 1)
  end
  f[#f + 1] = count
  f[#f + 1] = tostring(n)
  return f
end
-- The JSON of the task record at key: whole is what HMGET returned for
-- "json" (a record written before the chunks). nil when the record holds
-- neither form (it is missing or expired); "" when its chunks are damaged,
-- so that a reader reports it as unreadable, like damaged JSON.
-- jk and jn: the record's "jk" and "jn" when the caller read them with
-- "json" (false for a field the record lacks); with neither passed they
-- are read here.
local function task_json(key, whole, jk, jn)
  if whole then return whole end
  local c = {jk, jn}
  if jk == nil then c = redis.call('HMGET', key, 'jk', 'jn') end
  jn = c[1] or c[2]
  if not jn then return nil end
  local n = tonumber(jn)
  if not n or n < 0 or n > 4096 or n ~= math.floor(n) then return '' end
  if n == 0 then return '' end
  local names = {}
  for k = 1, n do names[k] = 'j' .. k end
  local parts = redis.call('HMGET', key, unpack(names))
  for k = 1, n do
    if not parts[k] then return '' end
  end
  local json = table.concat(parts)
  if c[1] then
    -- a byte of no name (damage) stays, and the JSON reads as unreadable
    json = json_written_out(json)
  end
  return json
end
