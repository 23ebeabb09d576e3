#!/bin/sh
# The operations endpoints: /healthz answers, /readyz is 503 with its reasons
# until a lease is held and 200 after, /metrics passes `promtool check
# metrics` and counts what the daemon did; anything else is 404 and methods
# other than GET/HEAD are refused.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
for tool in curl promtool; do
	command -v "$tool" >/dev/null || { echo "FAIL $tool is not installed (scripts/setup.sh installs it)"; exit 1; }
done
config h
sed -i 's/^}$/, "http": {"listen": "127.0.0.1:0"}}/' "$WORK/h.json"
# Redis not started yet: the daemon serves but is not ready
start_daemon h
H=$LAST_PID
i=0
until grep -q "http: listening" "$WORK/h.log"; do
	i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.05
done
PORT=$(sed -n 's/.*http: listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$WORK/h.log")
URL="http://127.0.0.1:$PORT"
check "the daemon logs its http port ($PORT)" test -n "$PORT"
code=$(curl -s -o "$WORK/health" -w '%{http_code}' "$URL/healthz")
check "/healthz answers 200 ($code)" test "$code" = 200
check "/healthz says ok" grep -q '"status":"ok"' "$WORK/health"
code=$(curl -s -o "$WORK/ready" -w '%{http_code}' "$URL/readyz")
check "/readyz is 503 without Redis ($code)" test "$code" = 503
check "/readyz names the problem" grep -q 'redis is not reachable' "$WORK/ready"
start_redis
i=0
while [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz")" != 200 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
check "/readyz becomes 200 once Redis is up and the lease is held" \
	test "$(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz")" = 200
"$VS" send --config "$WORK/h.json" --raw "$SRC/config/sample/events.jsonl" >/dev/null 2>&1 || true
check "the daemon catches up" wait_caught_up 60
sleep 6 # the pending/lag poll runs every 5 s
curl -s -D "$WORK/headers" -o "$WORK/metrics" "$URL/metrics"
check "/metrics has the Prometheus text content type" \
	grep -qi '^content-type: text/plain; version=0.0.4' "$WORK/headers"
if promtool check metrics <"$WORK/metrics" >"$WORK/promtool.out" 2>&1; then
	ok "promtool check metrics: no problem"
else
	not_ok "promtool check metrics: $(cat "$WORK/promtool.out")"
fi
tasks=$(rcli XLEN 'vs:{0}:tasks')
check "vs_tasks_total equals the tasks stream ($tasks)" grep -q "^vs_tasks_total $tasks$" "$WORK/metrics"
check "vs_registrations_total counts the valid registrations" grep -q '^vs_registrations_total 10407$' "$WORK/metrics"
check "rejections are counted by reason" grep -q '^vs_rejected_total{reason="not_school_day"} 5$' "$WORK/metrics"
check "signals by rule and level" grep -q '^vs_signals_total{rule="leerplicht_16u",level=""} 390$' "$WORK/metrics"
check "the lease and the connection are shown" \
	sh -c "grep -q '^vs_partition_lease{partition=\"0\"} 1$' '$WORK/metrics' && grep -q '^vs_redis_connected 1$' '$WORK/metrics'"
check "pending entries per partition are shown" grep -q '^vs_stream_pending{partition="0"} 0$' "$WORK/metrics"
check "an unknown path is 404" test "$(curl -s -o /dev/null -w '%{http_code}' "$URL/nope")" = 404
check "POST is refused" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/metrics")" = 405
kill -TERM "$H"
wait "$H" || true
finish
