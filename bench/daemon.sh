#!/bin/sh
# Daemon throughput benchmark (issue: daemon): registrations/s end to end,
# vroegsignaald against a private redis-server on the same machine, against
# a no-op consumer (bench/noop_consumer.c: XREADGROUP COUNT 500 + one XACK
# per batch, nothing else) over the same stream content in the same run.
#
#   sh bench/daemon.sh [PUPILS] [SEED] [RUNS]      (defaults 30000 42 3)
#
# Each measurement gets a fresh redis-server (unix socket in a temporary
# directory, AOF on, appendfsync everysec, no RDB snapshots). The whole
# region (`vroegsignaal generate`, ~500k registrations for 30,000 pupils) is
# loaded into vs:{0}:events with `vroegsignaal send` and the AOF is rewritten
# BEFORE the consumer starts; the time measured runs from starting the
# consumer until `vroegsignaal status --wait` reports caught up (it polls
# every 200 ms). CPU time is read from /proc for the consumer and for
# redis-server (the commit scripts run inside Redis; its AOF rewrite children
# included). Runs alternate no-op and daemon; the medians of RUNS runs are
# printed. bench/README.md records the figures.
#   PERF=1       also records `perf record -g` of the daemon and redis-server
#                during the daemon's measurements (build/bench/perf-daemon.data)
#   VSD_ENV="NAME=value ..."  the daemon's environment (an LD_PRELOADed allocator)
#   REDIS_AOF=no redis-server without the AOF, to see what the AOF costs
#   REDIS_FSYNC=always  appendfsync always instead of everysec (docs/operations.md,
#                "Durability")
set -eu
cd "$(dirname "$0")/.."
pupils=${1:-30000}
seed=${2:-42}
runs=${3:-3}
aof=${REDIS_AOF:-yes} # REDIS_AOF=no: without the AOF, to see what it costs
sh scripts/setup.sh
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DVS_TESTS=OFF >/dev/null
cmake --build build/bench -j"$(nproc)" >/dev/null
B=build/bench
# shellcheck disable=SC2046
cc -O2 -Wall -Wextra -o $B/noop_consumer bench/noop_consumer.c $(pkg-config --cflags --libs hiredis)
VS=$B/vroegsignaal
VSD=$B/vroegsignaald
data=$B/region-$pupils-$seed.jsonl
[ -s "$data" ] || $VS generate --config config/vroegsignaal.json --seed "$seed" --pupils "$pupils" >"$data"
lines=$(wc -l <"$data")
. bench/lib.sh

echo "input: $data, $lines registrations, $pupils pupils, seed $seed"
bench_header
echo "redis: $(redis-server --version | cut -d' ' -f3), unix socket, appendonly $aof, appendfsync ${REDIS_FSYNC:-everysec}, save ''"


# redis-server with the children it has waited for (its AOF rewrites)
cpu_ticks_all() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat"; }
child_ticks() { awk '{print $16 + $17}' "/proc/$1/stat"; }
now() { date +%s.%N; }
info_field() { rcli INFO "$1" | tr -d '\r' | sed -n "s/^$2://p"; }

stop_redis() {
	rcli SHUTDOWN NOSAVE >/dev/null 2>&1 || true
	wait "$REDIS_PID" 2>/dev/null || true
	REDIS_PID=""
}

# Loads the region into vs:{0}:events, then rewrites the AOF so no rewrite
# of the load runs during the measurement.
load() {
	$VS send --config "$WORK/bench.json" "$data" 2>"$WORK/send.log" || {
		echo "send failed:"; tail -3 "$WORK/send.log"; exit 1; }
	n=$(rcli XLEN 'vs:{0}:events')
	[ "$n" -eq "$lines" ] || { echo "loaded $n of $lines"; exit 1; }
	while [ "$(info_field persistence aof_rewrite_in_progress)" = 1 ] ||
		[ "$(info_field persistence aof_rewrite_scheduled)" = 1 ]; do sleep 0.1; done
	[ "$aof" = yes ] || return 0
	rcli BGREWRITEAOF >/dev/null
	sleep 0.1
	while [ "$(info_field persistence aof_rewrite_in_progress)" = 1 ] ||
		[ "$(info_field persistence aof_rewrite_scheduled)" = 1 ]; do sleep 0.1; done
}

# measure noop|daemon: appends "wall_s consumer_cpu_s redis_cpu_s" to
# $WORK/noop.txt or $WORK/daemon.txt; for the daemon also writes $WORK/daemon.extra: "tasks dead vmhwm_kib used_memory"
measure() {
	bench_start_redis "$aof"
	load
	log0=$(wc -l <"$WORK/redis.log")
	r0=$(cpu_ticks_all "$REDIS_PID")
	k0=$(child_ticks "$REDIS_PID")
	in0=$(info_field stats total_net_input_bytes)
	out0=$(info_field stats total_net_output_bytes)
	t0=$(now)
	if [ "$1" = noop ]; then
		/usr/bin/time -f "%U %S" -o "$WORK/noop.time" $B/noop_consumer "$SOCK" >"$WORK/noop.out" &
	else
		# shellcheck disable=SC2086
		env ${VSD_ENV:-} $VSD --config "$WORK/bench.json" >"$WORK/daemon.log" 2>&1 &
	fi
	CONSUMER_PID=$!
	perf_pid=""
	if [ -n "${PERF:-}" ] && [ "$1" = daemon ]; then
		# PERF=1: profile the daemon and redis-server during the measurement
		perf record -q -g -o "$B/perf-$1.data" -p "$CONSUMER_PID,$REDIS_PID" 2>/dev/null &
		perf_pid=$!
	fi
	$VS status --redis "$SOCK" --wait 3600 --quiet
	if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; perf_pid=""; fi
	t1=$(now)
	r1=$(cpu_ticks_all "$REDIS_PID")
	k1=$(child_ticks "$REDIS_PID")
	in1=$(info_field stats total_net_input_bytes)
	out1=$(info_field stats total_net_output_bytes)
	echo "$in0 $in1 $out0 $out1" | awk -v l="$lines" '{printf "redis network: %.0f bytes in, %.0f bytes out per registration", ($2 - $1) / l, ($4 - $3) / l}' >"$WORK/$1.net"
	if [ "$1" = noop ]; then
		# it exits on its own right after its last XACK; time(1) has its CPU
		wait "$CONSUMER_PID"
		CONSUMER_PID=""
		c1=$(awk '{print $1 + $2}' "$WORK/noop.time")
		echo "$t0 $t1 $r0 $r1 $c1" | awk -v tk="$TICK" '{printf "%.3f %.3f %.3f\n", $2 - $1, $5, ($4 - $3) / tk}' >>"$WORK/$1.txt"
	else
		c1=$(cpu_ticks "$CONSUMER_PID")
		hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$CONSUMER_PID/status")
		sleep 1.5 # one trim interval: the daemon trims the processed events
		kill -TERM "$CONSUMER_PID"
		wait "$CONSUMER_PID" || true
		CONSUMER_PID=""
		tasks=$(rcli XLEN 'vs:{0}:tasks')
		dead=$(rcli XLEN 'vs:{0}:dead')
		left=$(rcli XLEN 'vs:{0}:events')
		mem=$(info_field memory used_memory)
		st=$(rcli MEMORY USAGE 'vs:{0}:state' SAMPLES 0)
		tk=$(rcli MEMORY USAGE 'vs:{0}:tasks' SAMPLES 0)
		ti=$(rcli MEMORY USAGE 'vs:{0}:taskids:2026-2027' SAMPLES 0)
		np=$(rcli HLEN 'vs:{0}:state')
		rewrites=$(tail -n +"$((log0 + 1))" "$WORK/redis.log" | grep -c 'Starting automatic rewriting' || true)
		aofsize=$(info_field persistence aof_current_size)
		echo "$tasks $dead $hwm $mem $st $tk $ti $np $left" >"$WORK/daemon.extra"
		echo "AOF: $rewrites automatic rewrites while the daemon ran ($(echo "$k0 $k1" | awk -v tk="$TICK" '{printf "%.2f", ($2 - $1) / tk}') s redis cpu in the rewrite children), $((${aofsize:-0} / 1048576)) MiB at the end" >"$WORK/daemon.aof"
		grep 'stats:' "$WORK/daemon.log" | tail -1 | sed 's/.*stats: /daemon stats: /' >"$WORK/daemon.stats"
		echo "$t0 $t1 $r0 $r1 $c1" | awk -v tk="$TICK" '{printf "%.3f %.3f %.3f\n", $2 - $1, $5 / tk, ($4 - $3) / tk}' >>"$WORK/$1.txt"
	fi
	stop_redis
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >"$WORK/noop.txt"
: >"$WORK/daemon.txt"
run=1
while [ $run -le "$runs" ]; do
	measure noop
	measure daemon
	echo "run $run: no-op $(tail -1 "$WORK/noop.txt"), daemon $(tail -1 "$WORK/daemon.txt") (wall s, consumer cpu s, redis cpu s)"
	echo "       $(cat "$WORK/daemon.stats"); $(cat "$WORK/daemon.aof")"
	echo "       no-op $(cat "$WORK/noop.net"); daemon $(cat "$WORK/daemon.net")"
	run=$((run + 1))
done
read -r tasks dead hwm mem st tk ti np left <"$WORK/daemon.extra"
nw=$(cut -d' ' -f1 "$WORK/noop.txt" | median)
nc=$(cut -d' ' -f2 "$WORK/noop.txt" | median)
nr=$(cut -d' ' -f3 "$WORK/noop.txt" | median)
dw=$(cut -d' ' -f1 "$WORK/daemon.txt" | median)
dc=$(cut -d' ' -f2 "$WORK/daemon.txt" | median)
dr=$(cut -d' ' -f3 "$WORK/daemon.txt" | median)
awk -v l="$lines" -v n="$pupils" -v nw="$nw" -v nc="$nc" -v nr="$nr" -v dw="$dw" -v dc="$dc" -v dr="$dr" \
	-v tasks="$tasks" -v dead="$dead" -v hwm="$hwm" -v mem="$mem" -v st="$st" -v tk="$tk" \
	-v ti="$ti" -v np="$np" -v left="$left" 'BEGIN {
	printf "median no-op:   %6.2f s wall, %6.0f registrations/s; no-op cpu %.2f s, redis cpu %.2f s\n", nw, l / nw, nc, nr
	printf "median daemon:  %6.2f s wall, %6.0f registrations/s; daemon cpu %.2f s (%.0f registrations per daemon cpu s), redis cpu %.2f s\n", dw, l / dw, dc, l / dc, dr
	printf "daemon rate / no-op rate (wall): %.2f (target >= 0.5): %s\n", nw / dw, (nw / dw >= 0.5) ? "met" : "MISSED"
	printf "daemon rate >= 100,000 registrations/s (wall): %s\n", (l / dw >= 100000) ? "met" : "MISSED"
	printf "cpu per registration: daemon %.1f us + redis %.1f us (no-op %.1f us + redis %.1f us)\n", dc * 1e6 / l, dr * 1e6 / l, nc * 1e6 / l, nr * 1e6 / l
	printf "tasks %d, dead letters %d, pupils in vs:{0}:state %d, events left untrimmed %d\n", tasks, dead, np, left
	printf "daemon peak RSS (VmHWM) %.1f MiB = %.1f MiB per 10,000 pupils\n", hwm / 1024, hwm / 1024 / (n / 10000)
	printf "redis used_memory %.1f MiB = %.1f MiB per 10,000 pupils (state %.1f MiB, tasks %.1f MiB, task ids %.1f MiB)\n", mem / 1048576, mem / 1048576 / (n / 10000), st / 1048576, tk / 1048576, ti / 1048576
}'
