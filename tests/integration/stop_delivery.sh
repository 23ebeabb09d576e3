#!/bin/sh
# Stopping with deliveries in flight: SIGTERM while a slow webhook holds
# requests open. The daemon exits 0 at once; the restarted daemon delivers
# every task within seconds (the aborted deliveries were made due again,
# not left for their 80-second hold), and the receiver sees every task.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
printf 'whsec-school-0123456789abcdef\n' >"$WORK/secret"
start_webhook wh --secret-file "$WORK/secret" --delay-ms 1500
start_redis
config s ', "partitions": 1'
config_extend s <<JSON
, "dispatch": {"poll_ms": 50},
  "partners": [
    $(webhook_school 32 20000)
  ]
}
JSON
"$VS" generate --config "$SRC/config/vroegsignaal.json" --seed 5 --pupils 30 >"$WORK/ev.jsonl" 2>/dev/null
start_daemon s
D=$LAST_PID
"$VS" send --config "$WORK/s.json" "$WORK/ev.jsonl" >/dev/null 2>&1
check "the daemon catches up" wait_caught_up 60
N=$(redis-cli -s "$SOCK" --raw XRANGE 'vs:{0}:tasks' - + | awk 'prev == "roles" && $0 ~ /school/ { c++ } { prev = $0 } END { print c + 0 }')
sleep 0.5 # the first requests are now held open by the receiver
kill -TERM "$D"
wait "$D" && rc=0 || rc=$?
check "SIGTERM with deliveries in flight: exit 0 ($rc)" test "$rc" -eq 0
start_daemon s
D=$LAST_PID
t0=$(date +%s)
delivered() { $PY -c "import json; print(len({r['idempotency_key'] for r in map(json.loads, open('$WORK/wh.jsonl')) if r['status'] == 200}))"; }
i=0
until [ "$(delivered)" -ge "$N" ] || [ $i -gt 300 ]; do sleep 0.1; i=$((i + 1)); done
t=$(($(date +%s) - t0))
check "after the restart every one of the $N school tasks arrives ($(delivered))" test "$(delivered)" -ge "$N"
check "... within 30 s, not after the 80 s hold ($t s)" test "$t" -le 30
kill -TERM "$D"
wait "$D" || true
finish
