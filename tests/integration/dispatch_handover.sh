#!/bin/sh
# A voluntary handover while deliveries are in flight. Instance a owns both
# partitions (P = 2) and delivers to a slow webhook; instance b starts, so a
# hands one partition over. The deliveries a had under way must end (their
# results recorded) or be made due again before the lease goes: no task
# reaches the partner twice, and no assignment waits out its hold (30 s here)
# as `pending` before the new owner sends it again.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
printf 'whsec-school-0123456789abcdef\n' >"$WORK/secret"
start_webhook wh --secret-file "$WORK/secret" --delay-ms 400
start_redis
for name in a b; do
	config "$name" ', "partitions": 2'
	config_extend "$name" <<JSON
, "dispatch": {"poll_ms": 50},
  "partners": [
    $(webhook_school 8 20000),
    {"id": "swv", "role": "swv", "schools": ["*"],
     "connector": {"type": "file", "path": "$WORK/swv.jsonl"}, "legal_basis": "Wet passend onderwijs"}
  ]
}
JSON
done
"$VS" generate --config "$SRC/config/vroegsignaal.json" --seed 11 --pupils 60 >"$WORK/ev.jsonl" 2>/dev/null
start_daemon a
A=$LAST_PID
"$VS" send --config "$WORK/a.json" "$WORK/ev.jsonl" >/dev/null 2>&1
check "a catches up with both partitions" "$VS" status --config "$WORK/a.json" --wait 60 --quiet
for p in 0 1; do rcli --raw XRANGE "vs:{$p}:tasks" - +; done >"$WORK/tasks.raw"
N=$(awk 'prev == "roles" && $0 ~ /school/ { c++ } { prev = $0 } END { print c + 0 }' "$WORK/tasks.raw")
check "the sample makes enough school tasks for a handover under load ($N)" test "$N" -ge 40
# b starts while a has deliveries to the slow receiver under way
wait_for 30 sh -c "[ \$(wc -l <'$WORK/wh.jsonl' 2>/dev/null || echo 0) -ge 4 ]" || true
t0=$(date +%s)
start_daemon b
B=$LAST_PID
check "a hands a partition over to b" wait_for 30 grep -q 'handing over' "$WORK/a.log"
check "b takes it" wait_for 30 grep -q 'lease taken' "$WORK/b.log"
# Assignments of the school partner not yet recorded as delivered.
pending() {
	for p in 0 1; do rcli --scan --pattern "vs:{$p}:task:*"; done | while read -r k; do
		rcli HGET "$k" school.delivery; done | grep -v '^$' | grep -vc '^delivered$' || true
}
all_recorded() { [ "$(pending)" -eq 0 ] && [ "$(for p in 0 1; do rcli --scan --pattern "vs:{$p}:task:*"; done | wc -l)" -ge "$N" ]; }
wait_for 90 all_recorded || true
t=$(($(date +%s) - t0))
check "every school assignment is recorded as delivered ($(pending) left)" all_recorded
check "... within 20 s of the handover, not after a 30 s hold ($t s)" test "$t" -le 20
got=$($PY -c "import json; print(len({r['idempotency_key'] for r in map(json.loads, open('$WORK/wh.jsonl')) if r['status'] == 200}))")
twice=$($PY -c "
import collections, json
c = collections.Counter(r['idempotency_key'] for r in map(json.loads, open('$WORK/wh.jsonl')) if r['status'] == 200)
print(sum(1 for n in c.values() if n > 1))")
check "the partner got every one of the $N school tasks ($got)" test "$got" -eq "$N"
check "no school task reached the partner twice ($twice did)" test "$twice" -eq 0
swv_twice=$($PY -c "
import collections, json
c = collections.Counter(json.loads(l)['id'] for l in open('$WORK/swv.jsonl') if json.loads(l)['event'] == 'task')
print(sum(1 for n in c.values() if n > 1))")
check "no swv task was written twice ($swv_twice were)" test "$swv_twice" -eq 0
check "no delivery result was refused for a lost lease" sh -c "! grep -q 'was not recorded' '$WORK/a.log' '$WORK/b.log'"
kill -TERM "$A" "$B"
wait "$A" || true
wait "$B" || true
finish
