# Shared by the integration tests: a private redis-server on a unix socket in
# a temporary directory (AOF on), the daemon, and helpers. Everything started
# here is stopped by the EXIT trap. Source it with BIN and SRC set:
#   BIN  the build directory holding vroegsignaal and vroegsignaald
#   SRC  the source tree
set -eu
BIN=$(cd "$BIN" && pwd)
SRC=$(cd "$SRC" && pwd)
VS="$BIN/vroegsignaal"
VSD="$BIN/vroegsignaald"
WORK=$(mktemp -d /tmp/vs-it.XXXXXX)
SOCK="$WORK/redis.sock"
DAEMON_PIDS=""
REDIS_PID=""
PEER_PIDS=""
PY=/usr/bin/python3 # Debian's python3: the test peers need its python3-aiosmtpd
FAILED=0
PASSED=0
# The region's id secret for every daemon and replay here: the fixed test
# secret (stable ids), mode 0600 as the daemon demands.
IDS_SECRET="$WORK/ids.secret"
(umask 077 && cat "$SRC/tests/fixtures/ids.secret" >"$IDS_SECRET")

cleanup() {
	for pid in $PEER_PIDS; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in $DAEMON_PIDS; do kill -9 "$pid" 2>/dev/null || true; done
	[ -n "$REDIS_PID" ] && kill -9 "$REDIS_PID" 2>/dev/null || true
	# A peer stopped with TERM (a replica redis-server, say) may still be
	# writing its last files into $WORK: wait up to 5 s for every process
	# signalled above to be gone before removing the directory under it.
	i=0
	for pid in $PEER_PIDS $DAEMON_PIDS $REDIS_PID; do
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
			i=$((i + 1))
			sleep 0.05
		done
	done
	if [ "$FAILED" -gt 0 ] || [ -n "${KEEP_WORK:-}" ]; then
		echo "work directory kept: $WORK"
		for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "--- $f (tail)"; tail -20 "$f"; }; done
	else
		# a process this test did not start itself (one a helper forked)
		# may still hold the directory for a moment
		rm -rf "$WORK" 2>/dev/null || { sleep 1; rm -rf "$WORK"; }
	fi
}
trap cleanup EXIT

# start_redis [extra redis-server args]
start_redis() {
	redis-server --port 0 --unixsocket "$SOCK" --unixsocketperm 700 --dir "$WORK" \
		--appendonly yes --appendfsync always --save '' --daemonize no \
		--logfile "$WORK/redis.log" "$@" &
	REDIS_PID=$!
	i=0
	until redis-cli -s "$SOCK" ping >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -gt 100 ] && { echo "redis did not start"; exit 1; }
		sleep 0.05
	done
}

stop_redis() { # SIGKILL: no goodbye, AOF is what survives
	kill -9 "$REDIS_PID" 2>/dev/null || true
	wait "$REDIS_PID" 2>/dev/null || true
	REDIS_PID=""
}

rcli() { redis-cli -s "$SOCK" "$@"; }
# case_id TASK PARTNER: the id of the case the task's assignment opens, as
# ACCEPT derives it and the dispatcher does (store/caseid.c)
case_id() { printf 'vs%s' "$(printf 'case|%s|%s' "$1" "$2" | sha1sum | cut -c1-16)"; }

# keys_watch: from now on records every command Redis runs (MONITOR) in
# $WORK/monitor.out; keys_check DESCRIPTION [SCRIPT...] then fails the test
# when a script (other than those named) ran a command on a key it did not
# declare in KEYS (keycheck.lua).
keys_watch() {
	redis-cli -s "$SOCK" monitor >"$WORK/monitor.out" 2>/dev/null &
	MONITOR_PID=$!
	i=0
	until grep -q . "$WORK/monitor.out" 2>/dev/null; do
		redis-cli -s "$SOCK" ping >/dev/null
		i=$((i + 1)); [ $i -gt 100 ] && break
		sleep 0.05
	done
}
keys_check() {
	redis-cli -s "$SOCK" ping >/dev/null
	sleep 0.2
	kill "$MONITOR_PID" 2>/dev/null || true
	wait "$MONITOR_PID" 2>/dev/null || true
	desc=$1; shift
	if out=$(lua5.1 "$SRC/tests/integration/keycheck.lua" "$WORK/monitor.out" "$@"); then
		ok "$desc: every key a script touched was declared ($(echo "$out" | tail -1))"
	else
		echo "$out" | sort | uniq -c
		not_ok "$desc: every key a script touched was declared"
	fi
}

# config NAME [daemon json fields]: writes $WORK/NAME.json
config() {
	name=$1; shift
	extra=${1:-}
	cat >"$WORK/$name.json" <<JSON
{
  "calendar": "$SRC/config/calendars/noord-2026-2027.json",
  "ids": {"secret_file": "$IDS_SECRET"},
  "redis": {"unix": "$SOCK", "command_timeout_ms": 3000, "connect_timeout_ms": 1000},
  "daemon": {"consumer": "$name", "sweep_clock": "events", "block_ms": 100,
             "lease_ms": 2000, "claim_idle_ms": ${CLAIM_IDLE_MS:-500}, "trim_interval_s": 1,
             "events_retention_hours": 0 $extra}
}
JSON
}

# config_extend NAME: appends the members on stdin (",\n  \"key\": ...\n}") to
# $WORK/NAME.json, in place of its closing brace.
config_extend() {
	sed -i '$ d' "$WORK/$1.json"
	cat >>"$WORK/$1.json"
}

# file_partners_but_school: the partners of every routed role but the school
# (no comma before or after), each with a file connector to $WORK/ID.jsonl
# (the escalation partner's ID is esc), for a "partners" list in a
# config_extend text beside a school partner of the test's own.
file_partners_but_school() {
	cat <<JSON
    {"id": "swv", "role": "swv", "schools": ["*"],
     "connector": {"type": "file", "path": "$WORK/swv.jsonl"}, "legal_basis": "Wet passend onderwijs"},
    {"id": "leerplicht", "role": "leerplicht", "schools": ["*"],
     "connector": {"type": "file", "path": "$WORK/leerplicht.jsonl"}, "legal_basis": "Leerplichtwet 1969"},
    {"id": "rmc", "role": "rmc", "schools": ["*"],
     "connector": {"type": "file", "path": "$WORK/rmc.jsonl"}, "legal_basis": "RMC"},
    {"id": "esc", "role": "escalation", "schools": ["*"],
     "connector": {"type": "file", "path": "$WORK/esc.jsonl"}, "legal_basis": "Jeugdwet"}
JSON
}

# file_partners: a "partners" member (no comma before or after) with a file
# connector to $WORK/ID.jsonl for every routed role (the escalation partner's
# ID is esc), for a config_extend text: $(file_partners)
file_partners() {
	cat <<JSON
  "partners": [
    {"id": "school", "role": "school", "schools": ["*"],
     "connector": {"type": "file", "path": "$WORK/school.jsonl"}, "legal_basis": "Leerplichtwet 1969"},
$(file_partners_but_school)
  ]
JSON
}

# webhook_school MAX_IN_FLIGHT TIMEOUT_MS: the school partner (no comma
# after) delivering to the test webhook started as `wh` (start_webhook) with
# the secret in $WORK/secret, for a config_extend text.
webhook_school() {
	cat <<JSON
{"id": "school", "role": "school", "schools": ["*"], "max_in_flight": $1,
     "connector": {"type": "webhook", "url": "https://127.0.0.1:$(cat "$WORK/wh.port")/hook",
                   "ca_file": "$WORK/certs/ca.pem", "secret_file": "$WORK/secret", "timeout_ms": $2},
     "legal_basis": "Leerplichtwet 1969"}
JSON
}

# start_peer NAME COMMAND...: a test peer (tests/peers) in the background,
# logging to $WORK/NAME.log, stopped by the EXIT trap; returns once it wrote
# its port to $WORK/NAME.port (the command must be told to).
start_peer() {
	name=$1; shift
	"$@" 2>"$WORK/$name.log" &
	PEER_PIDS="$PEER_PIDS $!"
	i=0
	until [ -s "$WORK/$name.port" ]; do
		i=$((i + 1)); [ $i -gt 200 ] && { echo "FAIL the peer $name did not start"; exit 1; }
		sleep 0.05
	done
}

# start_webhook NAME [ARGS...]: the HTTPS test receiver with a certificate
# of the test CA ($WORK/certs/ca.pem); port in $WORK/NAME.port, one record
# per request in $WORK/NAME.jsonl; ARGS go to webhook_receiver.py.
start_webhook() {
	name=$1; shift
	sh "$SRC/tests/peers/make_certs.sh" "$WORK/certs"
	start_peer "$name" "$PY" "$SRC/tests/peers/webhook_receiver.py" --port 0 \
		--port-file "$WORK/$name.port" --cert "$WORK/certs/server.pem" \
		--key "$WORK/certs/server.key" --out "$WORK/$name.jsonl" "$@"
}

# start_daemon NAME: runs the daemon with $WORK/NAME.json, logs to NAME.log
start_daemon() {
	"$VSD" --config "$WORK/$1.json" >>"$WORK/$1.log" 2>&1 &
	LAST_PID=$!
	DAEMON_PIDS="$DAEMON_PIDS $LAST_PID"
}

wait_caught_up() { # [seconds]
	"$VS" status --redis "$SOCK" --wait "${1:-60}" --quiet
}

# Task ids in vs:{0}:tasks, one per line, in stream order.
task_ids() {
	rcli --raw XRANGE 'vs:{0}:tasks' - + | awk 'prev == "id" { print } { prev = $0 }'
}

# Signal ids replay finds in FILE, sweeping like the daemon's events clock.
replay_ids() {
	"$VS" replay --config "$SRC/config/vroegsignaal.json" --ids-secret "$IDS_SECRET" \
		--no-final-sweep "$1" 2>/dev/null |
		sed 's/^{"id":"\([^"]*\)".*/\1/'
}

# wait_for SECONDS COMMAND...: polls every 0.1 s until the command succeeds.
wait_for() {
	t=$1; shift; i=0
	until "$@"; do i=$((i + 1)); [ $i -gt $((t * 10)) ] && return 1; sleep 0.1; done
}

ok() { echo "ok   $1"; PASSED=$((PASSED + 1)); }
not_ok() { echo "FAIL $1"; FAILED=$((FAILED + 1)); }
check() { # description command...
	desc=$1; shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

finish() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}
