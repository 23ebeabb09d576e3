-- keycheck.lua MONITOR-FILE [SCRIPT...]: reads what `redis-cli monitor` printed while
-- tests ran and reports every command a script ran on a key it did not
-- declare in KEYS (Redis Cluster routes a script by its KEYS and, while a
-- slot migrates, answers only for those: docs/redis-keys.md). Prints one
-- line per violation and the number of script commands checked; exits 1 on
-- any violation, 2 when it checked nothing (the monitor saw no script).
-- Scripts named after the file are not checked.
local function unquote(line)
  -- MONITOR prints each argument as a quoted string with C-like escapes
  local args, i, n = {}, 1, #line
  while i <= n do
    local c = line:sub(i, i)
    if c == '"' then
      local buf = {}
      i = i + 1
      while i <= n do
        c = line:sub(i, i)
        if c == '\\' then
          local nx = line:sub(i + 1, i + 1)
          if nx == 'x' then
            buf[#buf + 1] = string.char(tonumber(line:sub(i + 2, i + 3), 16))
            i = i + 4
          else
            local map = {n = '\n', r = '\r', t = '\t', a = '\a', b = '\b'}
            buf[#buf + 1] = map[nx] or nx
            i = i + 2
          end
        elseif c == '"' then
          i = i + 1
          break
        else
          buf[#buf + 1] = c
          i = i + 1
        end
      end
      args[#args + 1] = table.concat(buf)
    else
      i = i + 1
    end
  end
  return args
end
-- commands whose every argument is a key, and commands that name no key
local allkeys = {exists = true, del = true, unlink = true, touch = true, mget = true}
local nokey = {time = true, ping = true, echo = true}
-- commands whose key follows a subcommand
local subkey = {xinfo = true, xgroup = true, object = true}
-- scripts left out (arg 2 on: their names as in their first line)
local skip = {}
for k = 2, #arg do skip[arg[k]] = true end
-- commands a script must not run at all: they find keys on one node only
local forbidden = {scan = true, keys = true, randomkey = true}
local f = assert(io.open(arg[1], 'r'))
local declared, script, checked, bad = nil, '', 0, 0
for line in f:lines() do
  local who, rest = line:match('^%d+%.%d+ %[%d+ ([^%]]*)%] (.*)$')
  if who and who ~= 'lua' then
    local a = unquote(rest)
    local cmd = (a[1] or ''):lower()
    declared = nil
    if cmd == 'eval' or cmd == 'evalsha' then
      declared = {}
      local nk = tonumber(a[3]) or 0
      for k = 4, 3 + nk do declared[a[k]] = true end
      script = cmd == 'evalsha' and a[2] or (a[2] or ''):match('^%-%- ?(%u[%u_]+)') or (a[2] or ''):sub(1, 30)
      if skip[script] then declared = nil end
    end
  elseif who == 'lua' and declared then
    local a = unquote(rest)
    local cmd = (a[1] or ''):lower()
    checked = checked + 1
    local keys = {}
    if forbidden[cmd] then
      bad = bad + 1
      print(string.format('%s: runs %s (keys found inside a script)', script, cmd:upper()))
    elseif allkeys[cmd] then
      for k = 2, #a do keys[#keys + 1] = a[k] end
    elseif subkey[cmd] then
      keys[1] = a[3]
    elseif not nokey[cmd] then
      keys[1] = a[2]
    end
    -- any argument that looks like one of our keys must be declared too
    for k = 3, #a do
      if a[k]:match('^vs:{') and not allkeys[cmd] then keys[#keys + 1] = a[k] end
    end
    for _, k in ipairs(keys) do
      if not declared[k] then
        bad = bad + 1
        print(string.format('%s: %s %s: not in KEYS', script, cmd:upper(), k))
      end
    end
  end
end
f:close()
print(string.format('keycheck: %d script command(s) checked, %d on undeclared keys', checked, bad))
if bad > 0 then os.exit(1) end
if checked == 0 then os.exit(2) end
