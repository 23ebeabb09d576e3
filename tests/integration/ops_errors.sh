#!/bin/sh
# Counters and snapshots that must not hide trouble (issue 11, finding 7):
# - one error reply in the operations poll (vs:closures of the wrong type)
#   no longer discards the whole snapshot: the rest is still served, and the
#   error is logged once;
# - one error reply on the status page (a per-day counter of the wrong type)
#   leaves out that counter instead of failing the page, and is logged;
# - a commit of the daily sweep that Redis refuses (OOM) is counted in
#   vs_commit_failures_total.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
command -v curl >/dev/null || { echo "FAIL curl is not installed (scripts/setup.sh installs it)"; exit 1; }
start_redis
config o ', "max_deliveries": 1000'
config_extend o <<JSON
,
  "http": {"listen": "127.0.0.1:0"}
}
JSON
start_daemon o
O=$LAST_PID
wait_for 10 grep -q "http: listening" "$WORK/o.log"
PORT=$(sed -n 's/.*http: listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$WORK/o.log")
URL="http://127.0.0.1:$PORT"
metrics() { curl -s "$URL/metrics" >"$WORK/metrics"; }
has_metric() { metrics; grep -q "$1" "$WORK/metrics"; }

rcli XADD 'vs:{0}:events' '*' v 1 id c1 student err-1 school 01AC sector vo kind concern \
	date 2026-09-01 recorded_at 2026-09-01T08:00:00Z >/dev/null
check "the daemon consumes" wait_caught_up 30

# The operations poll (every 5 s) meets a wrong type in one of its keys.
rcli SET vs:closures broken >/dev/null
check "the poll error is logged" wait_for 12 grep -q "operations poll: 1 Redis reply was an error" "$WORK/o.log"
check "the rest of the snapshot is served (vs_dead_letters)" has_metric '^vs_dead_letters 0$'
check "the error is counted in vs_ops_poll_errors" has_metric '^vs_ops_poll_errors 1$'
sleep 6 # another poll with the same error
check "the poll error is logged once, not every poll" \
	test "$(grep -c 'operations poll:' "$WORK/o.log")" -eq 1
rcli DEL vs:closures >/dev/null
check "vs_ops_poll_errors is 0 once the key is repaired" wait_for 12 has_metric '^vs_ops_poll_errors 0$'

# The status page meets a wrong type in one per-day counter in its window.
rcli SET 'vs:{0}:daily:2026-08-31' broken >/dev/null
code=$(curl -s -o "$WORK/status.html" -w '%{http_code}' "$URL/")
check "the status page still answers 200 ($code)" test "$code" = 200
check "... with the day of the signal drawn" grep -q '<rect class="bar"' "$WORK/status.html"
check "... and an alert about the counter it left out" grep -q "per-day counter read(s) failed" "$WORK/status.html"
check "the page's error is logged" grep -q "status page: 1 Redis reply was an error (first: WRONGTYPE" "$WORK/o.log"
rcli DEL 'vs:{0}:daily:2026-08-31' >/dev/null

# A sweep commit refused with OOM. Redis refuses writes past maxmemory; the
# test's producer writes through a script flagged allow-oom. A registration a
# week later makes the events clock sweep 1..7 Sep first: an empty commit
# (no write), then the HSCAN and the sweep's commit, which Redis refuses.
metrics
check "no commit failure so far" grep -q '^vs_commit_failures_total 0$' "$WORK/metrics"
rcli CONFIG SET maxmemory 1 >/dev/null
rcli EVAL "#!lua flags=allow-oom
return redis.call('XADD', KEYS[1], '*', unpack(ARGV))" 1 'vs:{0}:events' v 1 id a2 \
	student err-1 school 01AC sector vo kind absent period 0 authorized no date 2026-09-08 \
	recorded_at 2026-09-08T08:00:00Z >/dev/null
check "the sweep's commit is refused with OOM" wait_for 10 grep -q "commit refused: OOM" "$WORK/o.log"
check "vs_commit_failures_total counts it" wait_for 5 has_metric '^vs_commit_failures_total [1-9]'
rcli CONFIG SET maxmemory 0 >/dev/null
check "with memory back, the daemon catches up" wait_caught_up 30
check "the sweep marker reached 7 Sep" test "$(rcli GET 'vs:{0}:swept')" = 2026-09-07
kill -TERM "$O"
wait "$O" || true
finish
