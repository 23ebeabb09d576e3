#!/bin/sh
# Progress is watched (issue 11): a partition that holds its lease and makes
# no progress for daemon.stall_ms is reported (one warning, /readyz 503, the
# metric vs_partition_stalled, the status page) and restarted from its lease;
# when a restart does not cure it the systemd watchdog is no longer fed. Here
# the stall is a state hash made a string for longer than a restart can
# wait out; once it is restored the partition moves again and all of it
# clears. The watchdog is watched through a NOTIFY_SOCKET of the test's own.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
command -v curl >/dev/null || { echo "FAIL curl is not installed (scripts/setup.sh installs it)"; exit 1; }
start_redis
config s ', "max_deliveries": 1000, "stall_ms": 3000'
config_extend s <<JSON
,
  "http": {"listen": "127.0.0.1:0"}
}
JSON

# A datagram socket standing in for systemd: one line per notification.
start_peer notify "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2], "w").write("1\n")
with open(sys.argv[3], "a") as out:
    while True:
        out.write(s.recv(4096).decode().replace("\n", " ") + "\n")
        out.flush()
' "$WORK/notify.sock" "$WORK/notify.port" "$WORK/notify.log"
export NOTIFY_SOCKET="$WORK/notify.sock" WATCHDOG_USEC=1000000 # fed every 0.5 s
start_daemon s
S=$LAST_PID
unset NOTIFY_SOCKET WATCHDOG_USEC
wait_for 10 grep -q "http: listening" "$WORK/s.log"
PORT=$(sed -n 's/.*http: listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$WORK/s.log")
URL="http://127.0.0.1:$PORT"

reg() { # reg ID STUDENT KIND [FIELD VALUE]...: on Tuesday 1 Sep 2026
	id=$1 student=$2 kind=$3
	shift 3
	rcli XADD 'vs:{0}:events' '*' v 1 id "$id" student "$student" school 01AC sector vo \
		kind "$kind" date 2026-09-01 recorded_at 2026-09-01T08:00:00Z "$@" >/dev/null
}
tasks_are() { test "$(rcli XLEN 'vs:{0}:tasks')" -eq "$1"; }
ready_is() { test "$(curl -s -o "$WORK/ready" -w '%{http_code}' "$URL/readyz")" = "$1"; }
metric_is() { # metric_is NAME VALUE
	curl -s "$URL/metrics" >"$WORK/metrics"
	grep -q "^$1 $2\$" "$WORK/metrics"
}
metric_above_zero() {
	curl -s "$URL/metrics" >"$WORK/metrics"
	grep -q "^$1 [1-9][0-9]*\$" "$WORK/metrics"
}
feeds() { grep -c '^WATCHDOG=1' "$WORK/notify.log" || true; }

reg c1 stall-1 concern
check "a concern becomes a task" wait_for 30 tasks_are 1
check "/readyz is 200 while the partition moves" wait_for 10 ready_is 200
check "vs_partition_stalled is 0" metric_is 'vs_partition_stalled{partition="0"}' 0
sleep 1
check "the watchdog is fed ($(feeds) times)" test "$(feeds)" -ge 1

# The partition cannot commit: stall-1 is cached, so its next registration
# goes to the commit, which fails (WRONGTYPE), and so does every retry.
rcli RENAME 'vs:{0}:state' 'vs:{0}:state.saved' >/dev/null
rcli SET 'vs:{0}:state' broken >/dev/null
reg a1 stall-1 absent period 1 authorized no
check "the commit fails" wait_for 10 grep -q "commit refused: WRONGTYPE" "$WORK/s.log"
check "a stall is reported within stall_ms and a margin" wait_for 9 grep -q "partition 0: stalled" "$WORK/s.log"
check "/readyz answers 503" wait_for 3 ready_is 503
check "... naming the stalled partition" grep -q "stalled partitions (no progress, restarted from the lease): 0" "$WORK/ready"
check "vs_partition_stalled is 1" metric_is 'vs_partition_stalled{partition="0"}' 1
check "the stall restarts are counted" metric_above_zero 'vs_partition_stall_restarts_total{partition="0"}'
check "the commit failures are counted" metric_above_zero vs_commit_failures_total
curl -s "$URL/" >"$WORK/status.html"
check "the status page shows the stall" grep -q "partition 0 is stalled" "$WORK/status.html"
check "systemd's STATUS= says so" grep -q "STATUS=.* 1 stalled" "$WORK/notify.log"
# Twice stall_ms without progress: the restart did not cure it.
check "the daemon stops feeding the watchdog" wait_for 9 grep -q "watchdog is no longer fed" "$WORK/s.log"
before=$(feeds)
sleep 2 # four feeds at 0.5 s
check "... and no feed reaches systemd ($before, then $(feeds))" test "$(feeds)" -eq "$before"
check "the stall is reported once ($(grep -c 'partition 0: stalled' "$WORK/s.log"))" \
	test "$(grep -c 'partition 0: stalled' "$WORK/s.log")" -eq 1
restarts=$(grep -c 'still stalled; starting over' "$WORK/s.log" || true)
check "it was restarted again every stall_ms ($restarts)" test "$restarts" -ge 1

# Recovery.
rcli DEL 'vs:{0}:state' >/dev/null
rcli RENAME 'vs:{0}:state.saved' 'vs:{0}:state' >/dev/null
check "the partition moves again" wait_for 10 grep -q "partition 0: making progress again" "$WORK/s.log"
check "/readyz is 200 again" wait_for 5 ready_is 200
check "vs_partition_stalled is 0 again" metric_is 'vs_partition_stalled{partition="0"}' 0
last_status_clear() { grep 'STATUS=' "$WORK/notify.log" | tail -1 | grep -q ' 0 stalled'; }
check "... and STATUS= too" wait_for 3 last_status_clear
fed_since() { test "$(feeds)" -gt "$1"; }
check "the watchdog is fed again" wait_for 5 fed_since "$before"
reg c2 stall-2 concern
check "the next registration becomes a task within 5 s" wait_for 5 tasks_are 2
check "everything is consumed" wait_caught_up 10
kill -TERM "$S"
wait "$S" || true
finish
