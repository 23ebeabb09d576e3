-- Task records (docs/redis-keys.md): the task's JSON is kept in fields
-- "j1".."j<n>" of at most 64 bytes each with "jn" = n, so that the record
-- stays within Redis' hash-max-listpack-value (64) and is stored as a
-- listpack: one longer value turns the whole hash into a hashtable, about
-- twice the memory. Records written before keep it whole in "json".
local json_chunk = 64
-- The field/value arguments for HSET that hold json.
local function task_json_fields(json)
  local f, n = {}, 0
  for p = 1, #json, json_chunk do
    n = n + 1
    f[#f + 1] = 'j' .. n
    f[#f + 1] = string.sub(json, p, p + json_chunk - 1)
  end
  f[#f + 1] = 'jn'
  f[#f + 1] = tostring(n)
  return f
end
-- The JSON of the task record at key: whole is what HMGET returned for
-- "json" (a record written before the chunks). nil when the record holds
-- neither form (it is missing or expired); "" when its chunks are damaged,
-- so that a reader reports it as unreadable, like damaged JSON.
local function task_json(key, whole)
  if whole then return whole end
  local jn = redis.call('HGET', key, 'jn')
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
  return table.concat(parts)
end
