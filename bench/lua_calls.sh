#!/bin/sh
# What a script's calls cost Redis (issue 15, item 2): each line runs one
# kind of redis.call 10,000 times in one EVAL against a fresh redis-server
# (unix socket, AOF on, appendfsync everysec, as the other benchmarks) and
# prints Redis's own time for the EVAL (INFO commandstats) per call, with
# the empty loop's time subtracted. The writes go to the AOF like a
# script's (Redis 7 propagates each write of a script).
#
#   sh bench/lua_calls.sh [ROUNDS]   (default 3; the median per line)
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-3}
. bench/lib.sh
bench_header
echo "redis: $(redis-server --version | cut -d' ' -f3), unix socket, appendonly yes, appendfsync everysec"
bench_start_redis
# usec LUA: Redis's microseconds for one EVAL of LUA (a fresh database)
usec() {
	rcli FLUSHALL >/dev/null
	rcli HSET h1 a 1 >/dev/null
	rcli CONFIG RESETSTAT >/dev/null
	rcli EVAL "$1" 0 >/dev/null
	rcli INFO commandstats | tr -d '\r' | sed -n 's/^cmdstat_eval:calls=[0-9]*,usec=\([0-9]*\),.*/\1/p'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# a record JSON of a task's size (366 bytes, 14 member names; the sample
# record of bench/README.md "Redis memory" is 374), for the member-name
# coding ACCEPT did in Lua until 2026-11-30 and the decoding TAKE does
J='local c = {} for k = 1, 31 do c["name" .. k] = string.char(k) end local j = string.rep("\"name3\":\"abcdefgh\",", 14) .. string.rep("x", 100)'
base=$(for r in $(seq "$rounds"); do usec 'for i = 1, 10000 do end'; done | median)
printf '%-44s %8s\n' "call (10,000 in one EVAL)" "us/call"
while IFS='|' read -r name body; do
	[ -n "$name" ] || continue
	u=$(for r in $(seq "$rounds"); do usec "$body"; done | median)
	awk -v n="$name" -v u="$u" -v b="$base" 'BEGIN { printf "%-44s %8.2f\n", n, (u - b) / 10000 }'
done <<LINES
TYPE|for i = 1, 10000 do redis.call('TYPE', 'k' .. i) end
EXISTS|for i = 1, 10000 do redis.call('EXISTS', 'k' .. i) end
HGET|for i = 1, 10000 do redis.call('HGET', 'h1', 'a') end
HMGET of 12 fields|for i = 1, 10000 do redis.call('HMGET', 'h1', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l') end
HSET of 4 fields (a new hash)|for i = 1, 10000 do redis.call('HSET', 'h' .. i, 'a', '1', 'b', '2', 'c', '3', 'd', '4') end
HSET of 1 field (a new hash)|for i = 1, 10000 do redis.call('HSET', 'h' .. i, 'e', '5') end
PEXPIRE (an existing key)|for i = 1, 10000 do redis.call('PEXPIRE', 'h1', 100000000) end
PEXPIRE (no such key)|for i = 1, 10000 do redis.call('PEXPIRE', 'x' .. i, 100000000) end
ZADD|for i = 1, 10000 do redis.call('ZADD', 'z', i, 'm' .. i) end
ZREM (no such member)|for i = 1, 10000 do redis.call('ZREM', 'z2', 'm' .. i) end
XADD of 2 fields|for i = 1, 10000 do redis.call('XADD', 's', '*', 'event', 'assigned', 'task', 't' .. i) end
XADD of 14 fields (an assigned audit entry)|for i = 1, 10000 do redis.call('XADD', 's', '*', 'event', 'assigned', 'task', 't' .. i, 'partner', 'p', 'role', 'school', 'student', 's' .. i, 'fields', 'a,b', 'legal_basis', 'x', 'case', 'c' .. i, 'kind', '', 'case_event', 'opened', 'connector', '', 'via', '', 'detail', 'attendance', 'at', '1796059168519') end
redis.sha1hex of 30 bytes|for i = 1, 10000 do redis.sha1hex('case|vs0123456789abcdef|p' .. i) end
member names coded by gsub (366-byte JSON)|$J for i = 1, 10000 do local s = string.gsub(j, '"([%w_]+)":', c) end
member names written out by gsub (the same)|$J local d = {} for k, v in pairs(c) do d[v] = '"' .. k .. '":' end local e = string.gsub(j, '"([%w_]+)":', c) for i = 1, 10000 do local s = string.gsub(e, '[\1-\31]', d) end
LINES
