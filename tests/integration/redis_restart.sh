#!/bin/sh
# redis-server killed (SIGKILL) and restarted mid-run with its AOF: the daemon
# reconnects on its own and ends with the same tasks as an uninterrupted run.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
"$VS" generate --config "$SRC/config/vroegsignaal.json" --seed 11 --pupils 1500 \
	>"$WORK/events.jsonl" 2>/dev/null
start_redis
config d ', "batch_size": 100'
"$VS" send --config "$WORK/d.json" "$WORK/events.jsonl" >"$WORK/send.log" 2>&1
start_daemon d
D=$LAST_PID
restarts=0
for pause in 0.3 0.4 0.5; do
	sleep "$pause"
	stop_redis
	sleep 0.7
	start_redis
	restarts=$((restarts + 1))
done
check "the daemon catches up after $restarts redis restarts" wait_caught_up 120
check "the daemon survived" kill -0 "$D"
check "it logged the lost connection" grep -q "ready -> backoff" "$WORK/d.log"
task_ids >"$WORK/tasks"
replay_ids "$WORK/events.jsonl" >"$WORK/replay"
check "no task id twice" test -z "$(sort "$WORK/tasks" | uniq -d)"
check "tasks equal the uninterrupted run's signals ($(wc -l <"$WORK/replay"))" \
	test "$(sort "$WORK/tasks" | tr '\n' ' ')" = "$(sort "$WORK/replay" | tr '\n' ' ')"
finish
