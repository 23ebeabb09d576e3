#!/bin/sh
# The cases part of the operations poll (daemon/opsdata.c, every 5 s per
# partner and partition) with many active cases: the Redis time of one
# partner's case counts (vs_cases{state}), before and after the counts came
# from per-state sorted sets (issue 10). Starts its own redis-server on a unix
# socket, fills partition 0 with CASES synthetic cases of one partner (60 %
# open, a third of those overdue, 40 % in progress, each with its task
# record), then runs each variant of the count RUNS times and reports
# Redis's own usec per call (INFO commandstats; the script's inner commands
# included).
#   sh bench/cases_poll.sh [CASES=10000] [RUNS=200] [BEFORE=0735c00]
# BEFORE is the commit whose store/lua/caseread.lua read every case.
set -eu
cd "$(dirname "$0")/.."
CASES=${1:-10000}
RUNS=${2:-200}
BEFORE=${3:-0735c00}
WORK=$(mktemp -d /tmp/vs-bench.XXXXXX)
SOCK=$WORK/redis.sock
REDIS_PID=""
trap 'kill -9 $REDIS_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
redis-server --port 0 --unixsocket "$SOCK" --unixsocketperm 700 --dir "$WORK" --save '' \
	--appendonly no --logfile "$WORK/redis.log" &
REDIS_PID=$!
i=0
until redis-cli -s "$SOCK" ping >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -gt 100 ] && { echo "redis did not start"; exit 1; }
	sleep 0.05
done
rcli() { redis-cli -s "$SOCK" "$@"; }
now=$(($(date +%s) * 1000))
# the layout store/lua/cases.lua keeps (both the index every version has and
# the per-state sets)
rcli EVAL "
local pre, pid, n, now = 'vs:{0}:', 'lp', tonumber(ARGV[1]), tonumber(ARGV[2])
for i = 1, n do
  local cid, tid = string.format('vc%016x', i), string.format('vt%016x', i)
  local state, due = 'open', now + 3600000
  if i % 5 < 2 then state = 'in_progress' elseif i % 5 == 2 then due = now - 3600000 end
  redis.call('HSET', pre .. 'case:' .. cid, 'id', cid, 'partner', pid, 'student', 's' .. i,
             'topic', 'unauthorised', 'state', state, 'task', tid, 'opened_ms', now - 86400000,
             'last_signal_ms', now - 86400000, 'tasks', 1, 'updates', 0)
  redis.call('HSET', pre .. 'task:' .. tid, 'json', '{}', 'student', 's' .. i, pid .. '.due', due,
             pid .. '.state', state == 'open' and 'open' or 'acked')
  redis.call('HSET', pre .. 'cases:' .. pid, 's' .. i .. '|unauthorised', cid)
  redis.call('ZADD', pre .. 'caseset:' .. pid, now - 86400000, cid)
  if state == 'open' then redis.call('ZADD', pre .. 'caseopen:' .. pid, due, cid)
  else redis.call('ZADD', pre .. 'caseprog:' .. pid, now - 86400000, cid) end
end
return n" 0 "$CASES" "$now" >/dev/null
git show "$BEFORE:store/lua/caseread.lua" >"$WORK/before.lua"
sha_before=$(rcli SCRIPT LOAD "$(cat "$WORK/before.lua")")
sha_after=$(rcli SCRIPT LOAD "$(cat store/lua/caseread.lua)")
measure() { # label, then the command
	label=$1; shift
	rcli CONFIG RESETSTAT >/dev/null
	out=$(rcli "$@")
	rcli -r "$RUNS" "$@" >/dev/null
	us=$(rcli INFO commandstats | sed -n 's/^cmdstat_evalsha:.*usec_per_call=\([0-9.]*\).*/\1/p')
	printf '%-8s %8s us per poll   counts (open, overdue, in progress): %s\n' "$label" "$us" \
		"$(echo $out | tr ' ' ,)"
}
echo "$CASES cases of one partner, $RUNS polls each, redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/')"
measure before EVALSHA "$sha_before" 1 'vs:{0}:cases:lp' count 'vs:{0}:' lp "$now"
measure after EVALSHA "$sha_after" 2 'vs:{0}:caseopen:lp' 'vs:{0}:caseprog:lp' count 'vs:{0}:' lp "$now"
# the hourly trim of the index (TRIM's cases mode), once: it reads every
# index field's case state, so it is O(cases), but once an hour
sha_trim=$(rcli SCRIPT LOAD "$(cat store/lua/trim.lua)")
rcli CONFIG RESETSTAT >/dev/null
rcli EVALSHA "$sha_trim" 5 'vs:{0}:cases:lp' 'vs:{0}:caseopen:lp' 'vs:{0}:caseprog:lp' \
	'vs:{0}:caseset:lp' 'vs:{0}:casesbuilt:lp' cases 'vs:{0}:' $((now - 400 * 86400000)) >/dev/null
printf '%-8s %8s us once an hour (TRIM cases mode, nothing to remove)\n' trim \
	"$(rcli INFO commandstats | sed -n 's/^cmdstat_evalsha:.*usec_per_call=\([0-9.]*\).*/\1/p')"
