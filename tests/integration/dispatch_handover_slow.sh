#!/bin/sh
# A handover does not wait for a slow partner for ever. Instance a owns both
# partitions (P = 2) and delivers to a webhook that answers after 7 s;
# instance b starts, so a hands one partition over. The deliveries still
# under way after the handover's 5 s grace are ended and made due again at
# once: b sends them right away, and every assignment is recorded as
# delivered well before their 30 s hold would have passed.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
printf 'whsec-school-0123456789abcdef\n' >"$WORK/secret"
start_webhook wh --secret-file "$WORK/secret" --delay-ms 7000
start_redis
for name in a b; do
	config "$name" ', "partitions": 2'
	config_extend "$name" <<JSON
, "dispatch": {"poll_ms": 50},
  "partners": [
    $(webhook_school 64 20000)
  ]
}
JSON
done
"$VS" generate --config "$SRC/config/vroegsignaal.json" --seed 3 --pupils 20 >"$WORK/ev.jsonl" 2>/dev/null
start_daemon a
A=$LAST_PID
"$VS" send --config "$WORK/a.json" "$WORK/ev.jsonl" >/dev/null 2>&1
check "a catches up with both partitions" "$VS" status --config "$WORK/a.json" --wait 60 --quiet
for p in 0 1; do rcli --raw XRANGE "vs:{$p}:tasks" - +; done >"$WORK/tasks.raw"
N=$(awk 'prev == "roles" && $0 ~ /school/ { c++ } { prev = $0 } END { print c + 0 }' "$WORK/tasks.raw")
# b starts once a has deliveries of partition 1 under way
wait_for 30 sh -c "[ \$(redis-cli -s '$SOCK' ZCOUNT 'vs:{1}:outbox:school' '('\$(date +%s)000 +inf) -gt 0 ]" || true
t0=$(date +%s)
start_daemon b
B=$LAST_PID
check "a hands a partition over to b" wait_for 30 grep -q 'handing over' "$WORK/a.log"
check "... ending the deliveries still under way after the grace" \
	wait_for 30 grep -q 'ending the deliveries still under way' "$WORK/a.log"
pending() {
	for p in 0 1; do rcli --scan --pattern "vs:{$p}:task:*"; done | while read -r k; do
		rcli HGET "$k" school.delivery; done | grep -v '^$' | grep -vc '^delivered$' || true
}
all_recorded() { [ "$(pending)" -eq 0 ] && [ "$(for p in 0 1; do rcli --scan --pattern "vs:{$p}:task:*"; done | wc -l)" -ge "$N" ]; }
wait_for 90 all_recorded || true
t=$(($(date +%s) - t0))
check "every school assignment is recorded as delivered ($(pending) left)" all_recorded
check "... within 25 s of b's start, not after a 30 s hold ($t s)" test "$t" -le 25
got=$($PY -c "import json; print(len({r['idempotency_key'] for r in map(json.loads, open('$WORK/wh.jsonl')) if r['status'] == 200}))")
check "the partner got every one of the $N school tasks ($got)" test "$got" -eq "$N"
check "no result was refused for a lost lease" sh -c "! grep -q 'was not recorded' '$WORK/a.log' '$WORK/b.log'"
kill -TERM "$A" "$B"
wait "$A" || true
wait "$B" || true
finish
