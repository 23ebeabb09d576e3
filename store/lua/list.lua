-- LIST: a page of a partner's task list for the partner API, in two
-- calls, so that every key is declared:
--   Members (read-only): KEYS 1 the list's index: "open:<partner>" (open and
--         overdue tasks, by due time), "progress:<partner>" or
--         "closed:<partner>" (acknowledged tasks, by the acknowledgement's
--         time)
--         ARGV "members", after score ("-inf": from the start), after id
--         ("": none), max score, count
--         Returns {id, score, ...}: up to count members after (after score,
--         after id) in (score, id) order, and "more" last when the index
--         holds further ones.
--   Page: KEYS 1 the index, then the task record ("task:<id>") of each
--         member passed
--         ARGV "page", partner, after score, after id, limit, more (1: the
--         index holds members after the last one passed), then (id,
--         score)... as Members returned them
--         A member no longer in the index (a change between the two calls)
--         is passed over; one whose record expired is dropped from it.
--         Returns {{{id, record, due ms, state, delivery, via, score,
--         outcome}...}, next score, next id}: next is the last member
--         returned or looked at, "" when the index holds nothing after it.
--         Members are in (score, id) order, so the cursor is stable while
--         tasks come and go.
--@include check.lua
--@include record.lua
local e = wrongtype(KEYS[1], 'zset')
if e then return redis.error_reply(e) end
if ARGV[1] == 'members' then
  local after, after_id, count = ARGV[2], ARGV[3], tonumber(ARGV[5])
  local after_n = tonumber(after)
  local out, offset = {}, 0
  while true do
    local batch = redis.call('ZRANGEBYSCORE', KEYS[1], after, ARGV[4], 'WITHSCORES', 'LIMIT', offset, 200)
    for i = 1, #batch, 2 do
      local id, score = batch[i], batch[i + 1]
      if not (after_n and tonumber(score) == after_n and id <= after_id) then
        if #out >= 2 * count then
          out[#out + 1] = 'more'
          return out
        end
        out[#out + 1] = id
        out[#out + 1] = score
      end
    end
    if #batch < 400 then return out end
    offset = offset + 200
  end
end
local out, gone = {}, {}
local pid, after, after_id, limit = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local after_n = tonumber(after)
if not limit or (#ARGV - 6) % 2 ~= 0 or #KEYS ~= 1 + (#ARGV - 6) / 2 then
  return badargs('one record key per member')
end
local keys = {}
for k = 2, #KEYS do keys[#keys + 1] = {KEYS[k], 'hash'} end
e = wrongtypes(keys)
if e then return redis.error_reply(e) end
local last_score, last_id, stopped = '', '', false
for j = 1, (#ARGV - 6) / 2 do
  local id, score = ARGV[5 + 2 * j], ARGV[6 + 2 * j]
  if not (after_n and tonumber(score) == after_n and id <= after_id) then
    if #out >= limit then
      stopped = true
      break
    end
    local now_score = redis.call('ZSCORE', KEYS[1], id)
    if now_score and tonumber(now_score) == tonumber(score) then
      local v = redis.call('HMGET', KEYS[1 + j], 'json', pid .. '.due', pid .. '.state',
                           pid .. '.delivery', pid .. '.via', pid .. '.outcome')
      v[1] = task_json(KEYS[1 + j], v[1])
      if v[1] then
        out[#out + 1] = {id, v[1], v[2], v[3], v[4], v[5], score, v[6]}
      else
        gone[#gone + 1] = id -- the record expired
      end
    end
  end
  last_score, last_id = score, id
end
for _, g in ipairs(gone) do redis.call('ZREM', KEYS[1], g) end
if stopped or ARGV[6] == '1' then return {out, last_score, last_id} end
return {out, '', ''}
