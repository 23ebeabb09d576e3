#!/bin/sh
# Upgrading from the consumer group: a Redis whose events stream was read
# with the group "rules" (entries delivered to a consumer that died, still
# pending) and that has no committed offset. The daemon starts reading just
# before the group's oldest pending entry: every entry is applied exactly
# once (the tasks equal replay's), and the group is left as it was.
#   offset_migration.sh BIN SRC
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
"$VS" generate --config "$SRC/config/vroegsignaal.json" --seed 7 --pupils 600 \
	>"$WORK/events.jsonl" 2>/dev/null
head -3000 "$WORK/events.jsonl" >"$WORK/part1"
tail -n +3001 "$WORK/events.jsonl" >"$WORK/part2"
start_redis
config m
# what an earlier version applied: the first part (applied here by this
# version, then its offset turned into the group's position)
start_daemon m
M=$LAST_PID
"$VS" send --config "$WORK/m.json" "$WORK/part1" >/dev/null 2>&1
check "the first part is applied" wait_caught_up 60
kill -TERM "$M"
wait "$M" 2>/dev/null || true
off=$(rcli HGET 'vs:{0}:offset' id)
"$VS" send --config "$WORK/m.json" "$WORK/part2" >/dev/null 2>&1
rcli DEL 'vs:{0}:offset' >/dev/null
rcli XGROUP CREATE 'vs:{0}:events' rules "$off" >/dev/null
rcli XREADGROUP GROUP rules ghost COUNT 200 STREAMS 'vs:{0}:events' '>' >/dev/null
pending() { rcli XPENDING 'vs:{0}:events' rules | head -1; }
check "the old group has 200 entries pending" test "$(pending)" = 200
start_daemon m
M=$LAST_PID
check "the daemon catches up" wait_caught_up 60
task_ids >"$WORK/tasks"
replay_ids "$WORK/events.jsonl" >"$WORK/replay"
check "no task id twice" test -z "$(sort "$WORK/tasks" | uniq -d)"
check "tasks equal the uninterrupted run's signals ($(wc -l <"$WORK/replay"))" \
	test "$(sort "$WORK/tasks" | tr '\n' ' ')" = "$(sort "$WORK/replay" | tr '\n' ' ')"
check "the committed offset is the last entry" \
	test "$(rcli HGET 'vs:{0}:offset' id)" = "$(rcli --raw XREVRANGE 'vs:{0}:events' + - COUNT 1 | head -1)"
check "the old group is left as it was" test "$(pending)" = 200
kill -TERM "$M"
wait "$M" 2>/dev/null || true
finish
