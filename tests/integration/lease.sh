#!/bin/sh
# One owner per partition. A second daemon waits while the first holds the
# lease; when the first is frozen (SIGSTOP) past its lease, the second takes
# over, and the first, thawed, cannot commit: its lease is gone (fencing).
# Entries read by the frozen daemon are read again by the new owner, after
# the committed offset. Also: an entry read more than max_deliveries times
# without a commit goes to the dead letters.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
"$VS" generate --config "$SRC/config/vroegsignaal.json" --seed 5 --pupils 600 \
	>"$WORK/events.jsonl" 2>/dev/null
head -4000 "$WORK/events.jsonl" >"$WORK/part1"
tail -n +4001 "$WORK/events.jsonl" >"$WORK/part2"
start_redis
config a
config b
start_daemon a
A=$LAST_PID
"$VS" send --config "$WORK/a.json" "$WORK/part1" >/dev/null 2>&1
check "the first daemon consumes" wait_caught_up 60
start_daemon b
B=$LAST_PID
sleep 1
case "$(rcli GET 'vs:{0}:lease')" in
a/*) ok "the first daemon keeps the lease while the second waits" ;;
*) not_ok "the first daemon keeps the lease while the second waits" ;;
esac
check "the second daemon has not taken it" sh -c "! grep -q 'lease taken' '$WORK/b.log'"

kill -STOP "$A"
sleep 3 # lease_ms is 2000
"$VS" send --config "$WORK/a.json" "$WORK/part2" >/dev/null 2>&1
check "the second daemon takes over and catches up" wait_caught_up 60
check "it logged taking the lease" grep -q "lease taken" "$WORK/b.log"
kill -CONT "$A"
sleep 2
check "the thawed first daemon sees that its lease is gone" grep -q "lease lost\|lease held by another\|LEASE" "$WORK/a.log"
case "$(rcli GET 'vs:{0}:lease')" in
b/*) ok "the lease stays with the second daemon" ;;
*) not_ok "the lease stays with the second daemon" ;;
esac
check "everything is consumed" wait_caught_up 60
task_ids >"$WORK/tasks"
replay_ids "$WORK/events.jsonl" >"$WORK/replay"
check "no task id twice" test -z "$(sort "$WORK/tasks" | uniq -d)"
check "tasks equal the uninterrupted run's signals ($(wc -l <"$WORK/replay"))" \
	test "$(sort "$WORK/tasks" | tr '\n' ' ')" = "$(sort "$WORK/replay" | tr '\n' ' ')"
kill -TERM "$A" "$B"
wait "$A" "$B" 2>/dev/null || true

# Poison: an entry after an offset at which partitions started 5 times
# (max_deliveries) without a commit: the next start is the sixth.
rcli XADD 'vs:{0}:events' '*' v 1 id poison student p9 school 01AC sector vo kind sick \
	date 2026-09-01 recorded_at 2026-09-01T08:00:00Z >/dev/null
rcli HSET 'vs:{0}:offset' tries 5 >/dev/null
start_daemon b
check "a poisoned entry is consumed" wait_caught_up 30
reason=$(rcli --raw XRANGE 'vs:{0}:dead' - + | awk 'prev == "reason" { print } { prev = $0 }' | tail -1)
check "... into the dead letters with reason delivery_limit ($reason)" test "$reason" = delivery_limit
finish
