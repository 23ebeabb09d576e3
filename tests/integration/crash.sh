#!/bin/sh
# Crash safety: kill -9 the daemon at random moments while registrations flow
# in, restart it each time, and check that the final tasks are exactly those
# of an uninterrupted run (replay's signals): nothing lost, no task twice.
#   crash.sh BIN SRC [PUPILS] [SEED]
# CI runs a short version; bench/crash.sh runs 100,000 registrations.
BIN=$1 SRC=$2
PUPILS=${3:-1200}
SEED=${4:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
. "$SRC/tests/integration/lib.sh"
echo "seed $SEED, $PUPILS pupils"
"$VS" generate --config "$SRC/config/vroegsignaal.json" --seed "$SEED" --pupils "$PUPILS" \
	>"$WORK/events.jsonl" 2>/dev/null
echo "$(wc -l <"$WORK/events.jsonl") registrations"
start_redis
config crash ', "max_deliveries": 1000, "batch_size": 200'
# The registrations flow in over several seconds: chunks of 500 lines, in
# order, with a pause between them.
split -l 500 "$WORK/events.jsonl" "$WORK/chunk."
(
	for f in "$WORK"/chunk.*; do
		"$VS" send --config "$WORK/crash.json" "$f" >>"$WORK/send.log" 2>&1 || exit 1
		sleep 0.2
	done
) &
SEND=$!
kills=0
# pseudo-random lifetimes from the seed, 100..700 ms
pauses=$(awk -v s="$SEED" 'BEGIN { srand(s); for (i = 0; i < 1000; i++) printf "%.3f ", (100 + rand() * 600) / 1000 }')
for pause in $pauses; do
	start_daemon crash
	sleep "$pause"
	kill -9 "$LAST_PID" 2>/dev/null || true
	wait "$LAST_PID" 2>/dev/null || true
	kills=$((kills + 1))
	kill -0 "$SEND" 2>/dev/null || break
done
wait "$SEND" || true
echo "$kills kill -9 while the registrations flowed"
start_daemon crash
check "the restarted daemon catches up" wait_caught_up 300
task_ids >"$WORK/tasks"
replay_ids "$WORK/events.jsonl" >"$WORK/replay"
check "no task id twice ($(wc -l <"$WORK/tasks") tasks)" test -z "$(sort "$WORK/tasks" | uniq -d)"
check "tasks equal the uninterrupted run's signals ($(wc -l <"$WORK/replay"))" \
	test "$(sort "$WORK/tasks" | tr '\n' ' ')" = "$(sort "$WORK/replay" | tr '\n' ' ')"
check "no dead letters (every registration was valid)" test "$(rcli XLEN 'vs:{0}:dead')" -eq 0
check "the daemon was killed at least 5 times ($kills)" test "$kills" -ge 5
finish
