#!/bin/sh
# Partitions spread over instances: with P = 4 and two daemons each owns two;
# when one stops, the other takes all four; every registration is consumed
# and no task is written twice.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
"$VS" generate --config "$SRC/config/vroegsignaal.json" --seed 21 --pupils 800 \
	>"$WORK/events.jsonl" 2>/dev/null
head -6000 "$WORK/events.jsonl" >"$WORK/part1"
tail -n +6001 "$WORK/events.jsonl" >"$WORK/part2"
start_redis
config a ', "partitions": 4'
config b ', "partitions": 4'
owners() { # the consumer names holding the four leases, sorted
	for p in 0 1 2 3; do rcli GET "vs:{$p}:lease" | cut -d/ -f1; done | sort | tr '\n' ' '
}
all_tasks() {
	for p in 0 1 2 3; do
		rcli --raw XRANGE "vs:{$p}:tasks" - + | awk 'prev == "id" { print } { prev = $0 }'
	done
}
start_daemon a
A=$LAST_PID
sleep 1
check "one instance owns all four partitions ($(owners))" test "$(owners)" = "a a a a "
start_daemon b
B=$LAST_PID
"$VS" send --config "$WORK/a.json" "$WORK/part1" >/dev/null 2>&1
check "both catch up" "$VS" status --redis "$SOCK" --partitions 4 --wait 60 --quiet
i=0
while [ "$(owners)" != "a a b b " ] && [ $i -lt 40 ]; do sleep 0.25; i=$((i + 1)); done
check "with two instances each owns two ($(owners))" test "$(owners)" = "a a b b "
check "the first logged the handover" grep -q "handing over" "$WORK/a.log"
kill -TERM "$B"
wait "$B" || true
"$VS" send --config "$WORK/a.json" "$WORK/part2" >/dev/null 2>&1
i=0
while [ "$(owners)" != "a a a a " ] && [ $i -lt 60 ]; do sleep 0.25; i=$((i + 1)); done
check "after the second stops, the first owns all four again ($(owners))" test "$(owners)" = "a a a a "
check "everything is consumed" "$VS" status --redis "$SOCK" --partitions 4 --wait 60 --quiet
all_tasks >"$WORK/tasks"
check "tasks in all partitions ($(wc -l <"$WORK/tasks")), none twice" \
	sh -c "test -s '$WORK/tasks' && test -z \"\$(sort '$WORK/tasks' | uniq -d)\""
check "no dead letters" test "$(for p in 0 1 2 3; do rcli XLEN "vs:{$p}:dead"; done | awk '{ s += $1 } END { print s + 0 }')" -eq 0
finish
