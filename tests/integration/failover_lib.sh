# Sourced after lib.sh by failover.sh and bench/failover.sh: a Sentinel setup
# on loopback (a master A, a replica B, three sentinels), each process started
# and killed here (never a system service), with config files in $WORK so that
# what the sentinels rewrite (a promoted replica loses its replicaof) survives
# a restart, as on a real installation. Helpers to inject the three faults
# and to read what the current master kept.
#   REPLICAS      1 (default: B) or 2 (B and C)
#   MIN_REPLICAS  min-replicas-to-write of every server (default 0)
#   APPENDFSYNC   appendfsync of every server (default everysec)
MASTER_NAME=vs
SENTINEL_PIDS=""
eval "$($PY -c '
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks:
    s.bind(("127.0.0.1", 0))
ports = [s.getsockname()[1] for s in socks]
print("PORT_A=%d PORT_B=%d PORT_C=%d S1=%d S2=%d S3=%d" % tuple(ports))
')"
REPLICAS=${REPLICAS:-1}
# redis instance name (a, b, c) -> pid variable REDIS_PID_a, ...
failover_cleanup() {
	for pid in $SENTINEL_PIDS ${REDIS_PID_a:-} ${REDIS_PID_b:-} ${REDIS_PID_c:-}; do
		kill -9 "$pid" 2>/dev/null || true
	done
}
# lib.sh's trap runs cleanup; ours stops the extra processes first
trap 'failover_cleanup; cleanup' EXIT

port_of() { case $1 in a) echo "$PORT_A" ;; b) echo "$PORT_B" ;; c) echo "$PORT_C" ;; esac; }
name_of_port() { case $1 in "$PORT_A") echo a ;; "$PORT_B") echo b ;; *) echo c ;; esac; }

# start_servers: the master A and its replicas
start_servers() {
	start_server a
	start_server b
	[ "$REPLICAS" -lt 2 ] || start_server c
}

# start_server NAME: (re)starts redis instance NAME with its config file
start_server() {
	n=$1
	p=$(port_of "$n")
	if [ ! -f "$WORK/redis-$n.conf" ]; then
		mkdir -p "$WORK/$n"
		{
			echo "port $p"
			echo "bind 127.0.0.1"
			echo "dir $WORK/$n"
			echo "appendonly yes"
			echo "appendfsync ${APPENDFSYNC:-everysec}"
			echo "save \"\""
			echo "logfile $WORK/redis-$n.log"
			echo "min-replicas-to-write ${MIN_REPLICAS:-0}"
			echo "min-replicas-max-lag 10"
			echo "repl-diskless-sync no"
			[ "$n" = a ] || echo "replicaof 127.0.0.1 $PORT_A"
		} >"$WORK/redis-$n.conf"
	fi
	redis-server "$WORK/redis-$n.conf" &
	eval "REDIS_PID_$n=$!"
	i=0
	until redis-cli -p "$p" ping >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -gt 100 ] && { echo "redis $n did not start"; exit 1; }
		sleep 0.05
	done
}

# kill_server NAME: SIGKILL, no goodbye
kill_server() {
	eval "pid=\$REDIS_PID_$1"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	eval "REDIS_PID_$1="
}

start_sentinels() {
	for s in $S1 $S2 $S3; do
		mkdir -p "$WORK/s$s"
		cat >"$WORK/sentinel-$s.conf" <<CONF
port $s
bind 127.0.0.1
dir $WORK/s$s
logfile $WORK/sentinel-$s.log
sentinel monitor $MASTER_NAME 127.0.0.1 $PORT_A 2
sentinel down-after-milliseconds $MASTER_NAME 1000
sentinel failover-timeout $MASTER_NAME 4000
sentinel parallel-syncs $MASTER_NAME 1
CONF
		if command -v redis-sentinel >/dev/null 2>&1; then
			redis-sentinel "$WORK/sentinel-$s.conf" &
		else
			redis-server "$WORK/sentinel-$s.conf" --sentinel &
		fi
		SENTINEL_PIDS="$SENTINEL_PIDS $!"
	done
}

scli() { redis-cli -p "$S1" "$@"; }
# the master's port as sentinel 1 names it
master_port() { redis-cli -p "$S1" --raw SENTINEL get-master-addr-by-name "$MASTER_NAME" 2>/dev/null | sed -n 2p; }
mcli() { redis-cli -p "$(master_port)" "$@"; }

# sentinels_ready: every sentinel names the same master and knows the other
# two and the replica (not down), the master says ROLE master and has its
# replica online (the servers are asked: the sentinels' own view of the
# replication link is refreshed only every 10 s)
sentinels_ready() {
	m=$(master_port)
	[ -n "$m" ] || return 1
	for s in $S1 $S2 $S3; do
		[ "$(redis-cli -p "$s" --raw SENTINEL get-master-addr-by-name "$MASTER_NAME" | sed -n 2p)" = "$m" ] || return 1
		[ "$(redis-cli -p "$s" SENTINEL sentinels "$MASTER_NAME" | grep -c '^name$')" -eq 2 ] || return 1
		redis-cli -p "$s" --raw SENTINEL replicas "$MASTER_NAME" |
			awk -v want="$REPLICAS" 'prev == "flags" { n++; if ($0 == "slave") ok++ } { prev = $0 }
			     END { exit !(n == want && ok == want) }' || return 1
	done
	[ "$(redis-cli -p "$m" --raw ROLE | head -1)" = master ] || return 1
	[ "$(redis-cli -p "$m" --raw INFO replication | grep -c '^slave[0-9]*:.*state=online')" -eq "$REPLICAS" ] || return 1
}

# master_named: the sentinels name a master that says ROLE master (while its
# replica is down)
master_named() {
	m=$(master_port)
	[ -n "$m" ] && [ "$(redis-cli -p "$m" --raw ROLE 2>/dev/null | head -1)" = master ]
}

# replicas_caught_up PORT: the master on PORT has REPLICAS replicas online and
# each has acknowledged its whole replication stream (offset= in INFO
# replication equals master_repl_offset; replicas acknowledge every second)
replicas_caught_up() {
	redis-cli -p "$1" --raw INFO replication | tr -d '\r' | awk -v want="$REPLICAS" -F'[:,=]' '
		$1 == "master_repl_offset" { m = $2 }
		$1 ~ /^slave[0-9]+$/ { for (i = 2; i < NF; i++) if ($i == "offset") off[n++] = $(i + 1) }
		END { if (n != want || m == "") exit 1; for (i = 0; i < n; i++) if (off[i] != m) exit 1 }'
}

# planned_paused: the planned failover of docs/operations.md ("Planned
# failover"): pause writes on the master, wait until every replica has all of
# it, SENTINEL FAILOVER, and once the sentinels name the new master make the
# old one its replica before the pause ends, so that no write queued in the
# pause is acknowledged by the old master. Prints the steps' timings.
planned_paused() {
	pp_old=$(master_port)
	pp_t0=$(now_ms)
	redis-cli -p "$pp_old" CLIENT PAUSE 30000 WRITE >/dev/null
	wait_for 10 replicas_caught_up "$pp_old" || echo "planned failover: the replicas did not catch up in 10 s"
	pp_t1=$(now_ms)
	scli SENTINEL FAILOVER "$MASTER_NAME" >/dev/null
	pp_moved() { pp_new=$(master_port); [ -n "$pp_new" ] && [ "$pp_new" != "$pp_old" ]; }
	wait_for 20 pp_moved || echo "planned failover: the sentinels did not move the master in 20 s"
	redis-cli -p "$pp_old" REPLICAOF 127.0.0.1 "$pp_new" >/dev/null
	redis-cli -p "$pp_old" CLIENT UNPAUSE >/dev/null
	echo "planned failover (paused): replicas caught up after $((pp_t1 - pp_t0)) ms, writes paused for $(($(now_ms) - pp_t0)) ms"
}

# the "sentinels" and "master_name" members of a redis config object
sentinel_redis_json() {
	echo "\"sentinels\": [\"127.0.0.1:$S1\", \"127.0.0.1:$S2\", \"127.0.0.1:$S3\"], \"master_name\": \"$MASTER_NAME\", \"connect_timeout_ms\": 1000, \"command_timeout_ms\": 3000"
}

# kept_events: the registrations the current master holds, as JSON Lines in
# stream order (what a replay of "what Redis kept" reads)
kept_events() {
	mcli --json XRANGE 'vs:{0}:events' - + | $PY -c '
import json, sys
for _id, fields in json.load(sys.stdin):
    print(json.dumps(dict(zip(fields[0::2], fields[1::2])), separators=(",", ":")))
'
}

# processed: entries up to the committed offset on the current master (the
# test's retention keeps every entry), -1 while there is none
processed() {
	off=$(mcli --raw HGET 'vs:{0}:offset' id 2>/dev/null)
	case "$off" in
	*-*) mcli --json XRANGE 'vs:{0}:events' - "$off" 2>/dev/null |
		$PY -c 'import json, sys; print(len(json.load(sys.stdin)))' 2>/dev/null || echo -1 ;;
	*) echo -1 ;;
	esac
}

now_ms() { date +%s%3N; }

# resumed_after T0 BASE [OLD_MASTER_PORT]: waits (up to 30 s) until the
# sentinels name a master other than OLD_MASTER_PORT (when given) and that
# master's processed count exceeds BASE; prints the ms since T0, or "never"
resumed_after() {
	t0=$1 base=$2 old=${3:-}
	end=$((t0 + 30000))
	while [ -n "$old" ] && [ "$(master_port)" = "$old" ] && [ "$(now_ms)" -lt "$end" ]; do
		sleep 0.1
	done
	while [ "$(now_ms)" -lt "$end" ]; do
		v=$(processed || echo -1)
		if [ "${v:--1}" -gt "$base" ] 2>/dev/null || { [ -f "$WORK/sent" ] && caught_up; }; then
			echo $(($(now_ms) - t0))
			return 0
		fi
		sleep 0.1
	done
	echo never
}

# caught_up: the daemon has caught up with everything the master holds
# (status through the sentinels)
caught_up() {
	"$VS" status --config "$WORK/d.json" --wait 1 --quiet >/dev/null 2>&1
}

# start_load CONFIG SLICES_PREFIX PAUSE: sends each slice file with `send`
# (through the sentinels), PAUSE seconds apart, in the background; per slice
# SLICE.rc and SLICE.err; touches $WORK/sent at the end. Sets SENDER.
start_load() {
	(
		for f in "$2".*; do
			case $f in *.rc | *.err) continue ;; esac
			# exit 1: nothing was sent (no master found during a
			# failover): a producer sends the slice again
			tries=0
			while :; do
				rc=0
				"$VS" send --config "$1" "$f" >/dev/null 2>"$f.err" || rc=$?
				tries=$((tries + 1))
				[ "$rc" -eq 1 ] && [ "$tries" -lt 20 ] || break
				sleep 0.2
			done
			echo "$rc" >"$f.rc"
			sleep "$3"
		done
		touch "$WORK/sent"
	) &
	SENDER=$!
}

# load_figures SLICES_PREFIX KEPT_JSONL: prints "STORED LOST UNSURE": the
# registrations `send` reported stored (all of a slice with exit 0, else the
# count its summary gave), how many of those the master no longer has (for a
# slice cut short: reported minus present, when positive), and how many were
# sent without a reply
load_figures() {
	$PY - "$1" "$2" <<'PYEOF'
import glob, json, re, sys
prefix, kept_path = sys.argv[1], sys.argv[2]
kept = {json.loads(l)["id"] for l in open(kept_path) if l.strip()}
stored = lost = unsure = 0
for f in sorted(glob.glob(prefix + ".*")):
    if f.endswith((".rc", ".err")):
        continue
    ids = [json.loads(l)["id"] for l in open(f) if l.strip()]
    try:
        rc = int(open(f + ".rc").read())
    except (OSError, ValueError):
        continue
    err = open(f + ".err").read()
    present = sum(1 for i in ids if i in kept)
    if rc == 0:
        stored += len(ids)
        lost += len(ids) - present
        continue
    m = re.search(r"lost: (\d+) line\(s\) stored, (\d+) sent without a reply", err)
    if m:
        n, u = int(m.group(1)), int(m.group(2))
    else:
        m = re.search(r"(\d+) lines, (\d+) sent", err)
        n, u = (int(m.group(2)), 0) if m else (0, 0)
    stored += n
    unsure += u
    lost += max(0, n - present)
print(stored, lost, unsure)
PYEOF
}

# delivery_figures WEBHOOK_JSONL TASK_IDS: prints "DELIVERED DUPLICATES
# BADKEYS VANISHED": deliveries answered 200, how many of them repeat an
# Idempotency-Key, deliveries whose key is not their task's id, and distinct
# tasks delivered that are not in TASK_IDS (file of ids) at the end
delivery_figures() {
	$PY - "$1" "$2" <<'PYEOF'
import json, sys
ok = [r for r in map(json.loads, open(sys.argv[1])) if r["status"] == 200]
tasks = {l.strip() for l in open(sys.argv[2]) if l.strip()}
keys = [r["idempotency_key"] for r in ok]
bad = 0
for r in ok:
    b = r["body"] if isinstance(r["body"], dict) else json.loads(r["body"])
    want = b["id"] + (".reminder" if b.get("event") == "reminder" else "")
    bad += r["idempotency_key"] != want
delivered = {k for k in keys if not k.endswith(".reminder")}
vanished = sum(1 for k in delivered if k not in tasks)
print(len(ok), len(keys) - len(set(keys)), bad, vanished)
PYEOF
}
