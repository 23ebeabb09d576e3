-- Builds a task entry derived from task record t (an escalation or a
-- referral) and XADDs it to the tasks stream: the dispatcher then treats it
-- like any other task. Every value goes through tostring, so no record's
-- content can make the XADD fail. decode(json) is a task record's JSON as a table, nil
-- when it is unreadable (so that no script fails on it half-way).
local function derived(stream, t, extra, roles, created, window)
  local f = {}
  for k, v in pairs(extra) do f[#f + 1] = k; f[#f + 1] = tostring(v) end
  for _, k in ipairs({'rule', 'level', 'trigger', 'student', 'school', 'sector', 'date', 'period_key'}) do
    if t[k] ~= nil then f[#f + 1] = k; f[#f + 1] = tostring(t[k]) end
  end
  if tonumber(t.age) then f[#f + 1] = 'age'; f[#f + 1] = string.format('%d', tonumber(t.age)) end
  f[#f + 1] = 'facts'; f[#f + 1] = t.facts and cjson.encode(t.facts) or '{}'
  for _, kv in ipairs({{'roles', roles}, {'created_at', created}, {'window_hours', window}}) do
    f[#f + 1] = kv[1]; f[#f + 1] = tostring(kv[2] or '')
  end
  redis.call('XADD', stream, '*', unpack(f))
end
local function decode(json)
  local ok, t = pcall(cjson.decode, json or '')
  if ok and type(t) == 'table' then return t end
end
local function derived_id(seed)
  return 'vs' .. string.sub(redis.sha1hex(seed), 1, 16)
end
