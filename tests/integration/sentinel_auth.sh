#!/bin/sh
# Sentinels that demand AUTH (`requirepass` in sentinel.conf), in front of a
# master that demands its own password: with redis.sentinel_password_file the
# daemon and the command line find the master and work; with a wrong sentinel
# password, or none, they say so plainly and write nothing.
# Everything runs on loopback ports of its own, started and killed here.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"

eval "$($PY -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print("PORT_M=%d PORT_S=%d" % tuple(s.getsockname()[1] for s in socks))
')"
SENTINEL_PID=""
MASTER_PID=""
trap 'kill -9 $SENTINEL_PID $MASTER_PID 2>/dev/null || true; cleanup' EXIT

MASTER_PW=master-pw-0123456789
SENTINEL_PW=sentinel-pw-9876543210
redis-server --port "$PORT_M" --bind 127.0.0.1 --dir "$WORK" --save '' --appendonly no \
	--requirepass "$MASTER_PW" --logfile "$WORK/master.log" &
MASTER_PID=$!
mcli() { redis-cli -p "$PORT_M" -a "$MASTER_PW" --no-auth-warning "$@"; }
wait_for 10 sh -c "redis-cli -p $PORT_M ping >/dev/null 2>&1" || { echo "master did not start"; exit 1; }

cat >"$WORK/sentinel.conf" <<CONF
port $PORT_S
bind 127.0.0.1
dir $WORK
logfile $WORK/sentinel.log
requirepass $SENTINEL_PW
sentinel monitor vs 127.0.0.1 $PORT_M 1
sentinel auth-pass vs $MASTER_PW
sentinel down-after-milliseconds vs 1000
CONF
if command -v redis-sentinel >/dev/null 2>&1; then
	redis-sentinel "$WORK/sentinel.conf" &
else
	redis-server "$WORK/sentinel.conf" --sentinel &
fi
SENTINEL_PID=$!
scli() { redis-cli -p "$PORT_S" -a "$SENTINEL_PW" --no-auth-warning "$@"; }
names_master() { [ "$(scli SENTINEL get-master-addr-by-name vs 2>/dev/null | tail -1)" = "$PORT_M" ]; }
check "the sentinel names the master (setup)" wait_for 20 names_master
check "the sentinel refuses commands without AUTH (setup)" \
	sh -c "redis-cli -p $PORT_S SENTINEL get-master-addr-by-name vs 2>&1 | grep -q NOAUTH"

(umask 077 && printf '%s\n' "$MASTER_PW" >"$WORK/master.pw" &&
	printf '%s\n' "$SENTINEL_PW" >"$WORK/sentinel.pw" &&
	printf 'not-the-password\n' >"$WORK/wrong.pw")
# sentinel_config NAME [SENTINEL_PASSWORD_FILE]: a daemon configuration that
# finds the master through the sentinel
sentinel_config() {
	config "$1" ', "partitions": 1'
	sp=""
	[ -z "${2:-}" ] || sp=", \"sentinel_password_file\": \"$2\""
	sed -i "s|\"redis\": {[^}]*}|\"redis\": {\"sentinels\": [\"127.0.0.1:$PORT_S\"], \"master_name\": \"vs\", \"password_file\": \"$WORK/master.pw\"$sp, \"connect_timeout_ms\": 1000, \"command_timeout_ms\": 3000}|" \
		"$WORK/$1.json"
	config_extend "$1" <<JSON
, $(file_partners)
}
JSON
}
sentinel_config good "$WORK/sentinel.pw"
sentinel_config wrong "$WORK/wrong.pw"
sentinel_config none
"$VS" generate --config "$SRC/config/vroegsignaal.json" --calibration v1 --seed 5 --pupils 30 \
	>"$WORK/events.jsonl" 2>/dev/null
lines=$(wc -l <"$WORK/events.jsonl")

# ---- the wrong password, and none: a plain refusal, nothing written
rc=0
"$VS" send --config "$WORK/wrong.json" "$WORK/events.jsonl" >/dev/null 2>"$WORK/send-wrong.err" || rc=$?
check "send with a wrong sentinel password fails ($rc)" test "$rc" -ne 0
check "... and says the sentinel refused AUTH" grep -q "sentinel 0 refused AUTH" "$WORK/send-wrong.err"
rc=0
"$VS" send --config "$WORK/none.json" "$WORK/events.jsonl" >/dev/null 2>"$WORK/send-none.err" || rc=$?
check "send without the sentinel password fails ($rc)" test "$rc" -ne 0
check "... and passes on the sentinel's NOAUTH" grep -q "NOAUTH" "$WORK/send-none.err"
check "nothing was stored" test "$(mcli EXISTS 'vs:{0}:events')" = 0

start_daemon wrong
refused() { grep -q "sentinel 0 refused AUTH" "$WORK/wrong.log"; }
check "the daemon with a wrong sentinel password logs the refusal" wait_for 20 refused
check "... and names no secret in its log" sh -c "! grep -q -e '$SENTINEL_PW' -e not-the-password '$WORK/wrong.log'"
kill -TERM "$LAST_PID" 2>/dev/null || true
wait "$LAST_PID" 2>/dev/null || true

# ---- the right password: the command line and the daemon find the master
rc=0
"$VS" send --config "$WORK/good.json" "$WORK/events.jsonl" >/dev/null 2>"$WORK/send-good.err" || rc=$?
check "send through the sentinel with its password: exit 0 ($rc)" test "$rc" -eq 0
check "... every line stored" test "$(mcli XLEN 'vs:{0}:events')" = "$lines"
start_daemon good
check "the daemon catches up through the sentinel" \
	"$VS" status --config "$WORK/good.json" --wait 60 --quiet
got=$(mcli --raw XRANGE 'vs:{0}:tasks' - + | awk 'prev == "id" { print } { prev = $0 }' | sort)
want=$(replay_ids "$WORK/events.jsonl" | sort)
check "its tasks are replay's ($(echo "$want" | grep -c .))" test "$got" = "$want"
check "the daemon resolved the master through the sentinel" \
	grep -q "sentinel 0 names 127.0.0.1:$PORT_M as master vs" "$WORK/good.log"
subscribed() { scli CLIENT LIST | grep -q "cmd=subscribe"; }
check "its +switch-master watch is subscribed on the sentinel" wait_for 20 subscribed
finish
