#!/bin/sh
# What appendfsync always costs against everysec (issue 12, item 5; the
# figures are in bench/README.md and docs/operations.md, "Durability"): for
# each policy, in alternating runs on a fresh redis-server (unix socket,
# AOF on, no RDB), the time `vroegsignaal send` takes to add a region's
# registrations (pipelines of 1000 XADDs), and the time vroegsignaald takes
# to turn them into tasks (batches of 500, one COMMIT script each), as
# registrations per second. Also a producer without pipelining (one XADD
# per round trip, redis-benchmark) to show what an unbatched writer pays.
#
#   sh bench/fsync.sh [PUPILS] [SEED] [RUNS]     (defaults 3000 42 2)
#   BUILD=dir   the binaries (default build, as built for the tests)
set -eu
cd "$(dirname "$0")/.."
pupils=${1:-3000}
seed=${2:-42}
runs=${3:-2}
B=${BUILD:-build}
VS=$B/vroegsignaal
VSD=$B/vroegsignaald
. bench/lib.sh
data=$WORK/region.jsonl
$VS generate --config config/vroegsignaal.json --seed "$seed" --pupils "$pupils" >"$data" 2>/dev/null
lines=$(wc -l <"$data")
bench_header
echo "input: $lines registrations, $pupils pupils, seed $seed; redis $(redis-server --version | cut -d' ' -f3)"
now() { date +%s.%N; }
rate() { echo "$1 $2" | awk -v n="$lines" '{ printf "%.0f", n / ($2 - $1) }'; }
i=0
while [ $i -lt "$runs" ]; do
	for policy in everysec always; do
		REDIS_FSYNC=$policy bench_start_redis yes
		t0=$(now)
		$VS send --config "$WORK/bench.json" "$data" 2>/dev/null
		t1=$(now)
		$VSD --config "$WORK/bench.json" >"$WORK/daemon.log" 2>&1 &
		DAEMON_PID=$!
		$VS status --redis "$SOCK" --wait 3600 --quiet
		t2=$(now)
		kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=""
		single=$(redis-benchmark -s "$SOCK" -n 5000 -c 1 -P 1 -q -t set 2>/dev/null |
			tr '\r' '\n' | sed -n 's/^SET: \([0-9.]*\) requests per second.*/\1/p' | tail -1)
		echo "$policy: send $(rate "$t0" "$t1")/s, daemon $(rate "$t1" "$t2")/s, one SET per round trip ${single:-?}/s"
		redis-cli -s "$SOCK" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
		wait "$REDIS_PID" 2>/dev/null || true
		REDIS_PID=""
	done
	i=$((i + 1))
done
