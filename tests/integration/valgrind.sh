#!/bin/sh
# The daemon under valgrind (memcheck): consuming the sample, a SIGHUP reload
# and a SIGTERM stop, with no memory error and no definite leak.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
start_redis
config vg
valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
	"$VSD" --config "$WORK/vg.json" >"$WORK/vg.log" 2>&1 &
VG=$!
DAEMON_PIDS="$VG"
"$VS" send --config "$WORK/vg.json" --raw "$SRC/config/sample/events.jsonl" >/dev/null 2>&1 || true
check "the daemon under valgrind catches up with the sample" wait_caught_up 300
kill -HUP "$VG"
sleep 1
kill -TERM "$VG"
rc=0
wait "$VG" || rc=$?
check "valgrind reports no error and no definite leak (exit $rc)" test "$rc" -eq 0
check "the daemon stopped normally" grep -q "all partitions stopped" "$WORK/vg.log"
finish
