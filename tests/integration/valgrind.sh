#!/bin/sh
# The daemon under valgrind (memcheck): consuming the sample, delivering to
# partners (a Redis queue, a file, and a webhook that refuses connections so
# transfers fail and are retried), the status page, /metrics and a partner
# API call, a HEAD request, a SIGHUP reload and a SIGTERM stop with
# transfers in flight and slow HTTP clients connected, with no memory error
# and no definite leak.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
start_redis
config vg
printf 'token-school-0123456789abcdef\n' >"$WORK/school.token"
config_extend vg <<JSON
, "http": {"listen": "127.0.0.1:0"},
  "dispatch": {"poll_ms": 50, "retry_base_ms": 100, "retry_max_ms": 300},
  "partners": [
    {"id": "school", "role": "school", "schools": ["*"], "token_file": "$WORK/school.token",
     "connector": {"type": "redis", "stream": "vg:queue:school"}, "legal_basis": "Leerplichtwet 1969"},
    {"id": "swv", "role": "swv", "schools": ["*"],
     "connector": {"type": "file", "path": "$WORK/swv.jsonl"}, "legal_basis": "Wet passend onderwijs"},
    {"id": "leerplicht", "role": "leerplicht", "schools": ["*"],
     "connector": {"type": "webhook", "url": "https://127.0.0.1:1/hook", "secret": "whsec-0123456789abcdef",
                   "connect_timeout_ms": 200},
     "fallback": {"type": "file", "path": "$WORK/leerplicht.jsonl"}, "legal_basis": "Leerplichtwet 1969"}
  ]
}
JSON
valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
	"$VSD" --config "$WORK/vg.json" >"$WORK/vg.log" 2>&1 &
VG=$!
DAEMON_PIDS="$VG"
"$VS" send --config "$WORK/vg.json" --raw "$SRC/config/sample/events.jsonl" >/dev/null 2>&1 || true
check "the daemon under valgrind catches up with the sample" wait_caught_up 300
i=0
until [ "$(redis-cli -s "$SOCK" XLEN vg:queue:school)" -ge 1000 ] || [ $i -gt 600 ]; do sleep 0.2; i=$((i + 1)); done
check "it delivers to the school's queue under valgrind" test "$(redis-cli -s "$SOCK" XLEN vg:queue:school)" -ge 1000
PORT=$(sed -n 's/.*http: listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$WORK/vg.log")
check "the status page answers under valgrind" \
	test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")" = 200
check "/metrics answers under valgrind" \
	test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics")" = 200
ID=$(redis-cli -s "$SOCK" --raw XRANGE vg:queue:school - + COUNT 1 | sed -n '3p')
check "an acknowledgement through the API under valgrind" test "$(curl -s -o /dev/null -w '%{http_code}' \
	-H "Authorization: Bearer $(cat "$WORK/school.token")" --data '{"outcome":"planned"}' \
	"http://127.0.0.1:$PORT/v1/tasks/$ID/ack")" = 200
set -- $(printf 'HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
	"$PY" "$SRC/tests/peers/http_client.py" raw "$PORT")
check "HEAD /healthz answers without a body under valgrind ($1, $2 bytes)" test "$1" = 200 -a "$2" = 0
# slow clients still connected at the stop: their connections are freed too
"$PY" "$SRC/tests/peers/http_client.py" slow "$PORT" 5 30 "$WORK/slow" 2>/dev/null &
PEER_PIDS="$PEER_PIDS $!"
wait_for 20 test -s "$WORK/slow.started" || true
sleep 2
kill -HUP "$VG"
sleep 1
kill -TERM "$VG"
rc=0
wait "$VG" || rc=$?
check "valgrind reports no error and no definite leak (exit $rc)" test "$rc" -eq 0
check "the daemon stopped normally" grep -q "all partitions stopped" "$WORK/vg.log"
finish
