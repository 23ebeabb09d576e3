#!/bin/sh
# The wall-clock sweep: a new installation starts from the current sweep day
# (no history to sweep); a swept marker left behind by an earlier run is
# caught up day by day in order, once; a restart neither repeats nor skips.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
start_redis
config w
sed -i 's/"sweep_clock": "events"/"sweep_clock": "wall", "timezone": "Europe\/Amsterdam"/' "$WORK/w.json"
config_extend w <<'JSON'
,
  "rules": {"sweep_time": "00:00"}
}
JSON
today=$(TZ=Europe/Amsterdam date +%F)
start_daemon w
W=$LAST_PID
sleep 1
check "a new installation starts at today's sweep day ($today)" \
	test "$(rcli GET 'vs:{0}:swept')" = "$today"
check "... without sweeping history" sh -c "! grep -q 'daily sweep' '$WORK/w.log'"
# An earlier run stopped five days ago: the days since are caught up in order.
kill -TERM "$W"
wait "$W" || true
from=$(TZ=Europe/Amsterdam date -d "$today - 5 days" +%F)
next=$(TZ=Europe/Amsterdam date -d "$today - 4 days" +%F)
rcli SET 'vs:{0}:swept' "$from" >/dev/null
"$VS" send --config "$WORK/w.json" "$SRC/tests/fixtures/replay/first_month_and_tier.jsonl" \
	>/dev/null 2>&1
start_daemon w
W=$LAST_PID
wait_caught_up 30 || true
sleep 1
check "the missed days are swept from the day after the marker ($next .. $today)" \
	grep -q "daily sweep $next .. $today" "$WORK/w.log"
check "the marker moves to today" test "$(rcli GET 'vs:{0}:swept')" = "$today"
kill -TERM "$W"
wait "$W" || true
lines=$(grep -c "daily sweep" "$WORK/w.log")
start_daemon w
W=$LAST_PID
sleep 1.5
check "a restart does not sweep again" test "$(grep -c 'daily sweep' "$WORK/w.log")" -eq "$lines"
# A recorded_at more than a day after the moment the daemon reads it is
# refused (it would win every correction); one of now is not.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ahead=$(date -u -d '+2 days' +%Y-%m-%dT%H:%M:%SZ)
dead_before=$(rcli XLEN 'vs:{0}:dead')
cat >"$WORK/ahead.jsonl" <<JSON
{"v":1,"id":"ahead-1","student":"zz-ahead","school":"01AC","sector":"vo","kind":"sick","date":"2026-09-01","recorded_at":"$ahead"}
{"v":1,"id":"now-1","student":"zz-now","school":"01AC","sector":"vo","kind":"sick","date":"2026-09-01","recorded_at":"$now"}
JSON
"$VS" send --config "$WORK/w.json" "$WORK/ahead.jsonl" >/dev/null 2>&1
wait_caught_up 30 || true
check "a recorded_at two days ahead is a dead letter, one of now is not" \
	test "$(rcli XLEN 'vs:{0}:dead')" -eq $((dead_before + 1))
check "... with reason bad_recorded_at" sh -c "redis-cli -s '$SOCK' --raw XRANGE 'vs:{0}:dead' - + | grep -qx bad_recorded_at"
kill -TERM "$W"
wait "$W" || true
finish
