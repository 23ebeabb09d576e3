#!/bin/sh
# A takeover changes nothing: three instances share P = 6 partitions while
# registrations arrive; instances are killed (-9) and paused (SIGSTOP past
# their lease) in turn. The tasks are exactly replay's, none twice, and the
# time from a kill to every partition being owned again is reported (it
# must stay within three lease periods: the lease expires after one, the
# instance counts as dead one lease period after its last heartbeat, plus a
# heartbeat and a retry interval, and slack for a loaded machine). claim_idle_ms is long on purpose:
# only the takeover's own claim may pick up a dead owner's entries.
#   takeover.sh BIN SRC [PUPILS] [SEED] [ROUNDS]
BIN=$1 SRC=$2
PUPILS=${3:-900}
SEED=${4:-47}
ROUNDS=${5:-4}
. "$SRC/tests/integration/lib.sh"
"$VS" generate --config "$SRC/config/vroegsignaal.json" --seed "$SEED" --pupils "$PUPILS" \
	>"$WORK/events.jsonl" 2>/dev/null
N=$(wc -l <"$WORK/events.jsonl")
echo "seed $SEED, $PUPILS pupils, $N registrations, $ROUNDS rounds"
start_redis
for n in a b c; do
	CLAIM_IDLE_MS=600000 config $n ', "partitions": 6, "batch_size": 40'
done
replay_ids "$WORK/events.jsonl" | sort >"$WORK/replay"
all_tasks() {
	for p in 0 1 2 3 4 5; do
		rcli --raw XRANGE "vs:{$p}:tasks" - + | awk 'prev == "id" { print } { prev = $0 }'
	done
}
owners() { for p in 0 1 2 3 4 5; do rcli GET "vs:{$p}:lease" | cut -d/ -f1; done; }
# owned_by_others NAME: every partition's lease is held, none by NAME
owned_by_others() {
	o=$(owners)
	test "$(printf '%s\n' "$o" | grep -c .)" -eq 6 && ! printf '%s\n' "$o" | grep -qx "$1"
}
# balanced: every partition owned, by all three instances
balanced() {
	o=$(owners)
	test "$(printf '%s\n' "$o" | grep -c .)" -eq 6 && test "$(printf '%s\n' "$o" | sort -u | grep -c .)" -eq 3
}
now_ms() { date +%s%3N; }
start_daemon a; PA=$LAST_PID
start_daemon b; PB=$LAST_PID
start_daemon c; PC=$LAST_PID
pid_of() { case $1 in a) echo "$PA" ;; b) echo "$PB" ;; c) echo "$PC" ;; esac; }
# a steady load: the registrations in slices, in recording order
split -n "l/$((ROUNDS * 4))" -d -a 3 "$WORK/events.jsonl" "$WORK/slice."
(
	for f in "$WORK"/slice.*; do
		"$VS" send --config "$WORK/a.json" "$f" >/dev/null 2>&1 || echo "send failed: $f"
		sleep 0.3
	done
	touch "$WORK/sent"
) >"$WORK/send.log" 2>&1 &
SENDER=$!
worst=0
paused=
r=0
while [ $r -lt "$ROUNDS" ]; do
	victim=$(echo a b c | cut -d' ' -f$((1 + (SEED + r * 7) % 3)))
	pid=$(pid_of "$victim")
	wait_for 30 balanced || echo "round $r: not balanced before the fault: $(owners | tr '\n' ' ')"
	if [ $((r % 2)) -eq 0 ]; then
		t0=$(now_ms)
		kill -9 "$pid"
		wait "$pid" 2>/dev/null || true
		wait_for 20 owned_by_others "$victim" || true
		t1=$(now_ms)
		echo "round $r: kill -9 $victim; partitions owned again after $((t1 - t0)) ms"
		[ $((t1 - t0)) -gt "$worst" ] && worst=$((t1 - t0))
		start_daemon "$victim"
		eval "P$(echo "$victim" | tr a-c A-C)=$LAST_PID"
	else
		kill -STOP "$pid"
		sleep 3 # past lease_ms (2 s): the others take its partitions
		kill -CONT "$pid"
		paused="$paused $victim"
		echo "round $r: SIGSTOP of $victim for 3 s"
	fi
	sleep 1.5
	r=$((r + 1))
done
wait "$SENDER"
check "the load was sent" sh -c "! grep -q 'send failed' '$WORK/send.log'"
check "everything is consumed" "$VS" status --redis "$SOCK" --partitions 6 --wait 120 --quiet
same() { all_tasks | sort >"$WORK/tasks"; cmp -s "$WORK/tasks" "$WORK/replay"; }
wait_for 30 same || true
check "tasks are exactly replay's ($(wc -l <"$WORK/replay"))" same
if ! same; then
	echo "only in the daemon: $(comm -23 "$WORK/tasks" "$WORK/replay" | wc -l)," \
		"only in replay: $(comm -13 "$WORK/tasks" "$WORK/replay" | wc -l)"
fi
check "no task twice" test -z "$(all_tasks | sort | uniq -d)"
check "a killed instance's partitions were owned again within three lease periods (worst $worst ms)" \
	test "$worst" -le 6000
dead() { for p in 0 1 2 3 4 5; do rcli XLEN "vs:{$p}:dead"; done | awk '{ s += $1 } END { print s + 0 }'; }
check "no dead letters" test "$(dead)" -eq 0
# After SIGCONT either the read guard ("not renewed in time") or the lease
# renewal ("lease lost") notices first, depending on which event libevent
# runs first; each paused instance must have noticed one way or the other.
noticed() {
	for v in $paused; do
		grep -qE 'not renewed in time|lease lost' "$WORK/$v.log" || return 1
	done
}
check "every paused owner noticed its stale lease (${paused# })" noticed
finish
