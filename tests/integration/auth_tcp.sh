#!/bin/sh
# Redis over TCP on loopback with an ACL user and a password file: the daemon
# authenticates and consumes; a wrong password is refused and logged (never
# the password itself), and the daemon keeps retrying without crashing.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
# a free loopback port: try a few random ones
for attempt in 1 2 3 4 5; do
	PORT=$(awk -v a="$attempt" 'BEGIN { srand(); print 20000 + int(rand() * 20000) + a }')
	redis-server --port "$PORT" --bind 127.0.0.1 --dir "$WORK" --save '' --appendonly no \
		--logfile "$WORK/redis.log" --user default off --user vsd on '>s3cret-pw' '~vs:*' '&*' '+@all' &
	REDIS_PID=$!
	i=0
	while ! redis-cli -p "$PORT" --user vsd --pass s3cret-pw ping 2>/dev/null | grep -q PONG; do
		i=$((i + 1))
		if [ $i -gt 60 ] || ! kill -0 "$REDIS_PID" 2>/dev/null; then
			kill -9 "$REDIS_PID" 2>/dev/null || true
			REDIS_PID=""
			break
		fi
		sleep 0.05
	done
	[ -n "$REDIS_PID" ] && break
done
[ -n "$REDIS_PID" ] || { echo "redis did not start on a loopback port"; exit 1; }
printf 's3cret-pw\n' >"$WORK/pw"
printf 'wrong-pw\n' >"$WORK/badpw"
for name in good bad; do
	pwfile=$WORK/pw
	[ "$name" = bad ] && pwfile=$WORK/badpw
	cat >"$WORK/$name.json" <<JSON
{
  "calendar": "$SRC/config/calendars/noord-2026-2027.json",
  "ids": {"secret_file": "$IDS_SECRET"},
  "redis": {"host": "127.0.0.1", "port": $PORT, "user": "vsd", "password_file": "$pwfile"},
  "daemon": {"consumer": "$name", "sweep_clock": "events", "block_ms": 100, "lease_ms": 2000}
}
JSON
done
start_daemon bad
sleep 1
check "a wrong password is refused and logged" grep -q "AUTH refused" "$WORK/bad.log"
check "the password never appears in the log" sh -c "! grep -q 'wrong-pw' '$WORK/bad.log'"
check "the daemon keeps running after a refusal" kill -0 "$LAST_PID"
kill -TERM "$LAST_PID"
start_daemon good
GOOD=$LAST_PID
"$VS" send --config "$WORK/good.json" "$SRC/tests/fixtures/replay/mazl_luxe_absolute.jsonl" \
	>/dev/null 2>&1
check "over TCP with an ACL user the daemon consumes" \
	"$VS" status --config "$WORK/good.json" --wait 30 --quiet
n=$(redis-cli -p "$PORT" --user vsd --pass s3cret-pw XLEN 'vs:{0}:tasks' 2>/dev/null)
check "... and writes the fixture's 7 tasks ($n)" test "$n" -eq 7
kill -TERM "$GOOD"
finish
