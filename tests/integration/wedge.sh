#!/bin/sh
# A partition restarted while it holds its lease must come back (issue 11,
# finding 1): after the blocking-read connection is killed (CLIENT KILL) and
# after one transient commit error (the state hash made a string for three
# seconds), the next registration still becomes a task within a few seconds.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
start_redis
config w ', "max_deliveries": 1000'
start_daemon w
W=$LAST_PID

# reg ID STUDENT KIND [FIELD VALUE]...: one registration on Tuesday 1 Sep 2026
reg() {
	id=$1 student=$2 kind=$3
	shift 3
	rcli XADD 'vs:{0}:events' '*' v 1 id "$id" student "$student" school 01AC sector vo \
		kind "$kind" date 2026-09-01 recorded_at 2026-09-01T08:00:00Z "$@" >/dev/null
}
tasks_are() { test "$(rcli XLEN 'vs:{0}:tasks')" -eq "$1"; }
read_conn_id() { # the id of the daemon's blocking-read connection (CLIENT SETNAME)
	rcli CLIENT LIST | sed -n 's/^id=\([0-9]*\) .* name=vsd-read-0 .*/\1/p'
}

# A concern raises one MAZL task at once (once per pupil and day).
reg c1 wedge-1 concern
check "a concern becomes a task" wait_for 30 tasks_are 1
check "the blocking-read connection is named" wait_for 10 test -n "$(read_conn_id)"

# 1. Kill only the blocking-read connection.
id=$(read_conn_id)
rcli CLIENT KILL ID "$id" >/dev/null
check "the read connection was killed" wait_for 10 grep -q "redis read-0: .* -> backoff" "$WORK/w.log"
reg c2 wedge-2 concern
check "after the read connection was killed, the next registration is a task within 5 s" \
	wait_for 5 tasks_are 2

# 2. One transient commit error: wedge-2 is cached, so its next registration
# goes straight to the commit, whose first write (HSET of the state hash)
# fails with WRONGTYPE; the hash is back three seconds later.
rcli RENAME 'vs:{0}:state' 'vs:{0}:state.saved' >/dev/null
rcli SET 'vs:{0}:state' broken >/dev/null
reg a2 wedge-2 absent period 1 authorized no
check "the injected error refused a commit" wait_for 10 grep -q "commit refused: WRONGTYPE" "$WORK/w.log"
sleep 3
rcli DEL 'vs:{0}:state' >/dev/null
rcli RENAME 'vs:{0}:state.saved' 'vs:{0}:state' >/dev/null
reg c3 wedge-3 concern
check "after a transient commit error, the next registration is a task within 5 s" \
	wait_for 5 tasks_are 3
check "everything is consumed" wait_caught_up 10
case "$(rcli GET 'vs:{0}:lease')" in
w/*) ok "the lease stayed with the daemon" ;;
*) not_ok "the lease stayed with the daemon" ;;
esac
check "no dead letters" test "$(rcli XLEN 'vs:{0}:dead')" -eq 0
kill -TERM "$W"
wait "$W" || true
finish
