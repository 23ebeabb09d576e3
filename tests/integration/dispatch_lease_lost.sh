#!/bin/sh
# Results refused for a lost lease are said. While deliveries to a slow
# webhook are under way, another token takes the partition's lease (as an
# instance would after a long pause of this one): the RESULT scripts of
# those deliveries are refused, and each refusal is logged as a warning
# naming partition, task id and partner, never the pupil. Once the lease is
# back the held deliveries are sent again, and every task arrives.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
printf 'whsec-school-0123456789abcdef\n' >"$WORK/secret"
start_webhook wh --secret-file "$WORK/secret" --delay-ms 1500
start_redis
config s ', "partitions": 1'
config_extend s <<JSON
, "dispatch": {"poll_ms": 50},
  "partners": [
    $(webhook_school 8 3000)
  ]
}
JSON
"$VS" generate --config "$SRC/config/vroegsignaal.json" --seed 5 --pupils 30 >"$WORK/ev.jsonl" 2>/dev/null
start_daemon s
D=$LAST_PID
"$VS" send --config "$WORK/s.json" "$WORK/ev.jsonl" >/dev/null 2>&1
check "the daemon catches up" wait_caught_up 60
N=$(rcli --raw XRANGE 'vs:{0}:tasks' - + | awk 'prev == "roles" && $0 ~ /school/ { c++ } { prev = $0 } END { print c + 0 }')
# the first requests are held open by the receiver: take the lease away
wait_for 30 sh -c "rcli() { redis-cli -s '$SOCK' \"\$@\"; }; [ \$(rcli ZCARD 'vs:{0}:outbox:school') -gt 0 ]" || true
sleep 0.5
rcli SET 'vs:{0}:lease' 'intruder/0000' PX 3000 >/dev/null
refused() { grep -c 'was not recorded' "$WORK/s.log" || true; }
check "refused results are logged" wait_for 20 sh -c "grep -q 'was not recorded' '$WORK/s.log'"
check "... as warnings naming the partner ($(refused))" \
	sh -c "grep 'was not recorded' '$WORK/s.log' | grep -q '^<4>partition 0: .* for partner school'"
sed -n 's/.*"student":"\([^"]*\)".*/\1/p' "$WORK/ev.jsonl" | sort -u >"$WORK/students"
check "... without a pupil key" sh -c "! grep 'was not recorded' '$WORK/s.log' | grep -qFf '$WORK/students'"
delivered() { $PY -c "import json; print(len({r['idempotency_key'] for r in map(json.loads, open('$WORK/wh.jsonl')) if r['status'] == 200}))"; }
pending() { rcli --scan --pattern 'vs:{0}:task:*' | while read -r k; do rcli HGET "$k" school.delivery; done |
	grep -v '^$' | grep -vc '^delivered$' || true; }
all_done() { [ "$(delivered)" -ge "$N" ] && [ "$(pending)" -eq 0 ]; }
wait_for 90 all_done || true
check "once the lease is back every one of the $N tasks arrives ($(delivered)) and is recorded ($(pending) left)" all_done
kill -TERM "$D"
wait "$D" || true
finish
