# Shared by bench/daemon.sh, bench/latency.sh and bench/deliveries.sh (sourced from the source
# tree's root): a work directory with the redis socket path, the daemon's
# configuration, cleanup of everything started, and small helpers.
#   CONSUMER_PID / DAEMON_PID / REDIS_PID / perf_pid: set by the caller as it
#   starts them; whatever is set at exit is stopped.
TICK=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/vs-bench.XXXXXX)
SOCK=$WORK/redis.sock
REDIS_PID=""
CONSUMER_PID=""
DAEMON_PID=""
bench_cleanup() {
	if [ -n "${perf_pid:-}" ]; then kill -INT "$perf_pid" 2>/dev/null || true; fi
	for pid in $CONSUMER_PID $DAEMON_PID $REDIS_PID; do kill -9 "$pid" 2>/dev/null || true; done
	if [ -n "${KEEP_WORK:-}" ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# The machine and the source measured, for the report.
bench_header() {
	echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "source: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- daemon rules cli connectors 2>/dev/null || echo ' + uncommitted changes')"
}

# The region's id secret (the fixed test secret) and the daemon's
# configuration for the benchmarks: $WORK/bench.json.
IDS_SECRET=$WORK/ids.secret
(umask 077 && cat tests/fixtures/ids.secret >"$IDS_SECRET")
cat >"$WORK/bench.json" <<JSON
{
  "calendar": "$(pwd)/config/calendars/noord-2026-2027.json",
  "ids": {"secret_file": "$IDS_SECRET"},
  "redis": {"unix": "$SOCK", "command_timeout_ms": 10000, "connect_timeout_ms": 1000},
  "daemon": {"consumer": "bench", "sweep_clock": "events", "block_ms": 100, "batch_size": ${BATCH:-2000},
             "lease_ms": 2000, "claim_idle_ms": 500, "trim_interval_s": 1,
             "events_retention_hours": 0}
}
JSON

rcli() { redis-cli -s "$SOCK" "$@"; }

# bench_start_redis [yes|no]: a fresh redis-server on $SOCK (an empty data
# directory, AOF on by default with appendfsync everysec, or $REDIS_FSYNC,
# no RDB); sets REDIS_PID and returns once it answers.
bench_start_redis() {
	rm -rf "$WORK/redis"
	mkdir "$WORK/redis"
	redis-server --port 0 --unixsocket "$SOCK" --unixsocketperm 700 --dir "$WORK/redis" \
		--appendonly "${1:-yes}" --appendfsync "${REDIS_FSYNC:-everysec}" --save '' --daemonize no \
		--logfile "$WORK/redis.log" &
	REDIS_PID=$!
	n=0
	until rcli ping >/dev/null 2>&1; do
		n=$((n + 1)); [ $n -gt 200 ] && { echo "redis-server did not start"; exit 1; }
		sleep 0.05
	done
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
