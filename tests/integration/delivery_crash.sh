#!/bin/sh
# Deliveries (tasks and updates of open cases) survive kill -9: while the daemon consumes the sample and
# delivers to a slow HTTPS webhook and a Redis queue, it is killed (SIGKILL)
# at random moments and restarted. At the end every task has reached every
# partner it is assigned to (at least once; repeats carry the same
# Idempotency-Key), no assignment is left undelivered in Redis, and repeats
# stay rare (only deliveries in flight at a kill).
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
printf 'whsec-school-0123456789abcdef\n' >"$WORK/secret"
start_webhook wh --secret-file "$WORK/secret" --delay-ms 100
start_redis
config k ', "partitions": 1'
config_extend k <<JSON
, "dispatch": {"poll_ms": 50, "retry_base_ms": 100, "retry_max_ms": 500},
  "partners": [
    $(webhook_school 8 2000),
    {"id": "rest", "role": "swv", "schools": ["*"],
     "connector": {"type": "redis", "stream": "k:queue:swv"}, "legal_basis": "Wet passend onderwijs"},
    {"id": "lp", "role": "leerplicht", "schools": ["*"],
     "connector": {"type": "redis", "stream": "k:queue:lp"}, "legal_basis": "Leerplichtwet 1969"},
    {"id": "esc", "role": "escalation", "schools": ["*"],
     "connector": {"type": "redis", "stream": "k:queue:esc"}, "legal_basis": "Jeugdwet"}
  ]
}
JSON
start_daemon k
D=$LAST_PID
"$VS" send --config "$WORK/k.json" --raw "$SRC/config/sample/events.jsonl" >/dev/null 2>&1 &
SENDER=$!
kills=0
seed=$$
for round in 1 2 3 4 5 6 7 8; do
	seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
	sleep "$(( seed % 1500 / 1000 )).$(( seed % 1000 / 100 ))"
	kill -9 "$D" 2>/dev/null && kills=$((kills + 1))
	wait "$D" 2>/dev/null || true
	start_daemon k
	D=$LAST_PID
done
wait "$SENDER" || true
check "the daemon catches up after $kills kills" wait_caught_up 120
redis-cli -s "$SOCK" --raw XRANGE 'vs:{0}:tasks' - + >"$WORK/tasks.raw"
expected() { awk -v r="$1" 'prev == "roles" { n = split($0, a, ","); for (i = 1; i <= n; i++) if (a[i] == r) c++ } { prev = $0 } END { print c + 0 }' "$WORK/tasks.raw"; }
N_SCHOOL=$(expected school)
delivered() { $PY -c "import json; print(len({r['idempotency_key'] for r in map(json.loads, open('$WORK/wh.jsonl')) if r['status'] == 200 and not r['idempotency_key'].endswith('.reminder')}))"; }
i=0
until [ "$(delivered)" -ge "$N_SCHOOL" ] || [ $i -gt 1200 ]; do sleep 0.1; i=$((i + 1)); done
check "every one of the $N_SCHOOL school tasks reached the webhook ($(delivered))" test "$(delivered)" -eq "$N_SCHOOL"
qcount() { redis-cli -s "$SOCK" --raw XRANGE "$1" - + | awk 'prev == "id" { print } { prev = $0 }' | sort -u | wc -l; }
undelivered() {
	redis-cli -s "$SOCK" --scan --pattern 'vs:{0}:task:*' | while read -r k; do
		redis-cli -s "$SOCK" HGET "$k" school.delivery; done | grep -v '^$' | grep -vc '^delivered$' || true
}
# A delivery in flight at the last kill is sent again once its hold (the
# connector's timeout + 10 s) has passed.
i=0
until [ "$(qcount k:queue:lp)" -eq "$(expected leerplicht)" ] && [ "$(undelivered)" -eq 0 ] || [ $i -gt 60 ]; do
	sleep 1; i=$((i + 1))
done
check "every swv task reached its queue ($(qcount k:queue:swv) of $(expected swv))" test "$(qcount k:queue:swv)" -eq "$(expected swv)"
check "every leerplicht task reached its queue ($(qcount k:queue:lp) of $(expected leerplicht))" test "$(qcount k:queue:lp)" -eq "$(expected leerplicht)"
check "every school assignment is recorded as delivered in Redis ($(undelivered) left)" test "$(undelivered)" -eq 0
REPEATS=$($PY -c "
import json
keys = [r['idempotency_key'] for r in map(json.loads, open('$WORK/wh.jsonl')) if r['status'] == 200]
print(len(keys) - len(set(keys)))")
# updates of open cases (issue 10) go through the same path: every one is
# delivered, and a repeat carries the update's own id as its key
UPDATES=$($PY -c "
import json
ok = [r for r in map(json.loads, open('$WORK/wh.jsonl')) if r['status'] == 200]
assert all(r['idempotency_key'] == r['body']['id'] + ('.reminder' if r['body'].get('event') == 'reminder' else '') for r in ok)
print(len({r['body']['id'] for r in ok if r['body'].get('kind') == 'update'}))" 2>&1)
check "updates of open cases were delivered through the kills, each keyed by its own id ($UPDATES)" \
	test "$UPDATES" -gt 0 2>/dev/null
check "repeats only for deliveries in flight at a kill ($REPEATS repeats, at most 8 per kill)" test "$REPEATS" -le $((kills * 8))
echo "kills: $kills, school deliveries: $N_SCHOOL, repeated: $REPEATS"
kill -TERM "$D"
wait "$D" || true
finish
