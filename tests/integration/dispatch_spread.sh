#!/bin/sh
# Two instances share P = 2 partitions and deliver; one is killed (-9)
# while delivering. The survivor takes over its partitions, their pending
# task entries and held deliveries: every task reaches every partner of its
# roles, and each assignment ends recorded as delivered.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
start_redis
partners_json() {
	cat <<JSON
, "dispatch": {"poll_ms": 50},
$(file_partners)
}
JSON
}
for name in a b; do
	config "$name" ', "partitions": 2'
	partners_json | config_extend "$name"
done
start_daemon a
A=$LAST_PID
start_daemon b
B=$LAST_PID
"$VS" send --config "$WORK/a.json" --raw "$SRC/config/sample/events.jsonl" >/dev/null 2>&1 || true
sleep 1
kill -9 "$A"
wait "$A" 2>/dev/null || true
check "the survivor catches up with both partitions" \
	"$VS" status --config "$WORK/b.json" --wait 120 --quiet
i=0
until [ "$(grep -c 'lease taken' "$WORK/b.log")" -ge 2 ] || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "the survivor took the killed instance's partition" test "$(grep -c 'lease taken' "$WORK/b.log")" -ge 2
for p in 0 1; do redis-cli -s "$SOCK" --raw XRANGE "vs:{$p}:tasks" - +; done >"$WORK/tasks.raw"
expected() { awk -v r="$1" 'prev == "roles" { n = split($0, a, ","); for (i = 1; i <= n; i++) if (a[i] == r) c++ } { prev = $0 } END { print c + 0 }' "$WORK/tasks.raw"; }
got() { [ -f "$WORK/$1.jsonl" ] && $PY -c "import json; print(len({json.loads(l)['id'] for l in open('$WORK/$1.jsonl') if json.loads(l)['event'] in ('task', 'update')}))" || echo 0; }
all_there() {
	[ "$(got school)" -eq "$(expected school)" ] && [ "$(got swv)" -eq "$(expected swv)" ] &&
		[ "$(got leerplicht)" -eq "$(expected leerplicht)" ] && [ "$(got esc)" -eq "$(expected escalation)" ]
}
i=0
until all_there || [ $i -gt 90 ]; do sleep 1; i=$((i + 1)); done
for role in school swv leerplicht; do
	check "every $role task was delivered ($(got $role) of $(expected $role))" test "$(got $role)" -eq "$(expected $role)"
done
check "every escalation-role task was delivered ($(got esc) of $(expected escalation))" test "$(got esc)" -eq "$(expected escalation)"
# A file line is written before its result is recorded, and a delivery the
# killed instance had under way is recorded only when the survivor sends it
# again after its hold (10 s for files): wait for the records, not the files.
undelivered() {
	for p in 0 1; do redis-cli -s "$SOCK" --scan --pattern "vs:{$p}:task:*"; done | while read -r k; do
		redis-cli -s "$SOCK" HGET "$k" school.delivery; done | grep -v '^$' | grep -vc '^delivered$' || true
}
all_recorded() { [ "$(undelivered)" -eq 0 ]; }
wait_for 60 all_recorded || true
check "every school assignment is recorded as delivered ($(undelivered) left)" all_recorded
kill -TERM "$B"
wait "$B" || true
finish
