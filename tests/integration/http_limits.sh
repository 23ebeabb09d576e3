#!/bin/sh
# The HTTP server under abuse (issue 11, findings 3, 4 and 8), the daemon's
# descriptor limit lowered to 256 (ulimit -n in its subshell):
#   - requests curl will not send: HEAD has no body (but its length); two
#     Content-Length headers, a NUL byte after the token or a control
#     character in it are refused with 400
#   - failed API requests are limited per client address (429) before any
#     token work, and another address is not affected
#   - more slow connections (a header line a second, never finished) than
#     descriptors: /healthz answers during the attack, the daemon's CPU and
#     log stay small, registrations still become tasks delivered to a file,
#     and the server drops the slow connections
#   - the limit lowered under the running daemon (prlimit) so that accept
#     fails with EMFILE: no spinning, no log flood, and /healthz answers
#     again once the slow clients are gone
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
for tool in curl prlimit; do
	command -v "$tool" >/dev/null || { echo "FAIL $tool is not installed (scripts/setup.sh installs it)"; exit 1; }
done
HC="$SRC/tests/peers/http_client.py"
TOKEN=token-school-0123456789abcdef
printf '%s\n' "$TOKEN" >"$WORK/school.token"
start_redis
config h ', "partitions": 1'
config_extend h <<JSON
, "http": {"listen": "127.0.0.1:0"},
  "dispatch": {"poll_ms": 50, "retry_base_ms": 100, "retry_max_ms": 400},
  "partners": [
    {"id": "school-all", "role": "school", "schools": ["*"],
     "connector": {"type": "file", "path": "$WORK/school.jsonl"},
     "token_file": "$WORK/school.token", "legal_basis": "Leerplichtwet 1969 art. 21a"}
  ]
}
JSON
(ulimit -n 256 && exec "$VSD" --config "$WORK/h.json") >>"$WORK/h.log" 2>&1 &
D=$!
DAEMON_PIDS="$DAEMON_PIDS $D"
wait_for 10 grep -q "http: listening" "$WORK/h.log" || true
PORT=$(sed -n 's/.*http: listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$WORK/h.log")
URL="http://127.0.0.1:$PORT"
check "the daemon logs its http port ($PORT)" test -n "$PORT"
healthz_ok() { [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$URL/healthz")" = 200 ]; }
check "/healthz answers" wait_for 20 healthz_ok
check "/readyz becomes 200" wait_for 20 sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' $URL/readyz) = 200 ]"

# ---- requests curl will not send ------------------------------------------
raw() { "$PY" "$HC" raw "$PORT" "$@"; }
set -- $(printf 'HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | raw)
check "HEAD /healthz: 200 without a body (status $1, $2 body bytes)" test "$1" = 200 -a "$2" = 0
check "HEAD /healthz gives the body's Content-Length ($3)" test "$3" != - -a "$3" != 0
set -- $(printf 'HEAD /v1/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n' "$TOKEN" | raw)
check "HEAD /v1/tasks: 200 without a body (status $1, $2 body bytes)" test "$1" = 200 -a "$2" = 0
set -- $(printf 'GET /v1/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n' "$TOKEN" | raw)
check "GET /v1/tasks with the token: 200 with a body (status $1)" test "$1" = 200 -a "$2" -gt 0
set -- $(printf 'POST /v1/tasks/vs0123456789abcdef/ack HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 2\r\nContent-Length: 20\r\nConnection: close\r\n\r\n{}{"outcome":"done"}' "$TOKEN" | raw)
check "two Content-Length headers: 400 (status $1)" test "$1" = 400
set -- $(printf 'GET /v1/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\000junk\r\nConnection: close\r\n\r\n' "$TOKEN" | raw)
check "a NUL byte after the token: 400 (status $1)" test "$1" = 400
set -- $(printf 'GET /v1/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \001%s\r\nConnection: close\r\n\r\n' "$TOKEN" | raw)
check "a control character in the token: 400 (status $1)" test "$1" = 400

# ---- failed requests per client address -------------------------------------
: >"$WORK/codes"
t0=$(date +%s)
i=0
while [ $i -lt 60 ]; do
	curl -s -o /dev/null -w '%{http_code}\n' -H 'Authorization: Bearer token-wrong-0123456789abcdef' \
		"$URL/v1/tasks" >>"$WORK/codes"
	i=$((i + 1))
done
n401=$(grep -c '^401$' "$WORK/codes" || true) n429=$(grep -c '^429$' "$WORK/codes" || true)
most=$((10 + $(date +%s) - t0 + 1)) # the burst and one a second since
echo "60 requests with a wrong token from 127.0.0.1: $n401 x 401, $n429 x 429"
check "the address's failed requests hit the limit (429)" test "$n429" -gt 0
check "... after at most the burst of 10 and the refill ($most)" test "$n401" -le "$most"
code=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 \
	-H 'Authorization: Bearer token-wrong-0123456789abcdef' "$URL/v1/tasks")
check "another address is not limited by it (401, got $code)" test "$code" = 401
code=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 -H "Authorization: Bearer $TOKEN" \
	"$URL/v1/tasks")
check "the partner's token from that address works (200, got $code)" test "$code" = 200

# ---- more slow connections than descriptors --------------------------------------
cpu() { awk '{ print $14 + $15 }' "/proc/$D/stat"; }
# log lines about connections (libevent's own warnings included); the
# registrations below add lines of their own about roles no partner serves
conn_lines() { grep -ci 'accept\|connection' "$WORK/h.log" || true; }
TICKS=$(getconf CLK_TCK)
"$PY" "$HC" slow "$PORT" 400 40 "$WORK/slow1" 2>"$WORK/slow1.log" &
PEER_PIDS="$PEER_PIDS $!"
wait_for 20 test -s "$WORK/slow1.started" || true
sleep 1
lines0=$(conn_lines) cpu0=$(cpu)
check "/healthz answers during the attack" wait_for 10 healthz_ok
"$VS" generate --config "$SRC/config/vroegsignaal.json" --seed 11 --pupils 40 >"$WORK/ev.jsonl" 2>/dev/null
"$VS" send --config "$WORK/h.json" "$WORK/ev.jsonl" >/dev/null 2>&1
sleep 6
cpu1=$(cpu) lines1=$(conn_lines)
used=$((cpu1 - cpu0)) limit=$((TICKS * 7 * 30 / 100))
echo "attack: $used CPU ticks in about 7 s (limit $limit), $((lines1 - lines0)) log lines"
check "the daemon's CPU stays under 30 % during the attack" test "$used" -lt "$limit"
check "the log stays small during the attack" test $((lines1 - lines0)) -lt 20
check "registrations are processed during the attack" wait_caught_up 30
check "and delivered to the file connector" wait_for 20 test -s "$WORK/school.jsonl"
wait_for 40 test -s "$WORK/slow1" || true
echo "slow clients: $(cat "$WORK/slow1" 2>/dev/null)"
check "the server dropped the slow connections" \
	sh -c "awk '{ exit !(\$2 >= 350 && \$4 >= \$2 - 10) }' '$WORK/slow1'"
check "/healthz answers after the attack" wait_for 10 healthz_ok
metric() { curl -s -m 5 "$URL/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
n=$(metric 'vs_http_connections_closed_total{reason="cap"}')
check "/metrics counts the connections closed at the cap ($n)" test "${n:-0}" -gt 0
n=$(metric 'vs_http_connections_closed_total{reason="request_timeout"}')
check "/metrics counts the connections closed for no whole request ($n)" test "${n:-0}" -gt 0

# ---- out of descriptors under the running daemon -------------------------------------
prlimit --pid "$D" --nofile=64:64
lines0=$(conn_lines) cpu0=$(cpu)
"$PY" "$HC" slow "$PORT" 200 12 "$WORK/slow2" 2>"$WORK/slow2.log" &
PEER_PIDS="$PEER_PIDS $!"
sleep 8
cpu1=$(cpu) lines1=$(conn_lines)
used=$((cpu1 - cpu0)) limit=$((TICKS * 8 * 30 / 100))
echo "EMFILE: $used CPU ticks in 8 s (limit $limit), $((lines1 - lines0)) log lines"
check "accept failing with EMFILE: the daemon's CPU stays under 30 %" test "$used" -lt "$limit"
check "accept failing with EMFILE: a few log lines, not a flood" test $((lines1 - lines0)) -lt 10
check "accept failing with EMFILE is logged" grep -q 'cannot accept connections: Too many open files' "$WORK/h.log"
wait_for 20 test -s "$WORK/slow2" || true
check "/healthz answers once the slow clients are gone" wait_for 20 healthz_ok
n=$(metric vs_http_accept_failures_total)
check "/metrics counts the failed accepts ($n)" test "${n:-0}" -gt 0
check "the daemon is still running" kill -0 "$D"
finish
