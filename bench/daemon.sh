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
# consumer until `vroegsignaal status --wait` reports caught up (it looks
# every 10 ms: at its default 200 ms a run's time came in steps of 0.2 s).
# CPU time is read from /proc for the consumer and for redis-server (the
# commit scripts run inside Redis; its AOF rewrite children included). Runs
# alternate no-op and daemon; the medians of RUNS runs are printed.
# bench/README.md records the figures.
#   PERF=1       also records `perf record -g` of the daemon and redis-server
#                during the daemon's measurements (build/bench/perf-daemon.data)
#   VSD_ENV="NAME=value ..."  the daemon's environment (an LD_PRELOADed allocator)
#   BATCH=N      the daemons' daemon.batch_size (default 2000, the shipped default;
#                the no-op consumer reads COUNT 500 whatever it is)
#   REDIS_AOF=no redis-server without the AOF, to see what the AOF costs
#   REDIS_FSYNC=always  appendfsync always instead of everysec (docs/operations.md,
#                "Durability")
#   BENCH_CFLAGS="-fno-omit-frame-pointer"  flags for the daemon's build (call
#                graphs with PERF=1)
#   The last daemon run's `INFO commandstats` (Redis' time per command, the
#   scripts as EVALSHA) is left in build/bench/cmdstats.txt.
#   BASELINE="DIR..." also measures each DIR/vroegsignaald (older builds: one
#                lever after another) in every run, between the no-op and the
#                daemon, so all of them see the same load
# Besides the rates it prints, per registration: the bytes the consumer sent
# to Redis, the AOF bytes Redis wrote (its write(2) bytes from /proc/PID/io
# minus what it sent to clients; automatic AOF rewrites happen in children and
# are not counted) and Redis' CPU. The region is loaded once; every
# measurement starts a fresh redis-server from a copy of that load's AOF.
set -eu
cd "$(dirname "$0")/.."
pupils=${1:-30000}
seed=${2:-42}
runs=${3:-3}
aof=${REDIS_AOF:-yes} # REDIS_AOF=no: without the AOF, to see what it costs
sh scripts/setup.sh
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DVS_TESTS=OFF -DCMAKE_C_FLAGS="${BENCH_CFLAGS:-}" >/dev/null
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
wchar() { sed -n 's/^wchar: //p' "/proc/$1/io"; }
cpu_ticks_all() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat"; }
child_ticks() { awk '{print $16 + $17}' "/proc/$1/stat"; }
# seconds on the CPU and runnable waiting for one (/proc/PID/schedstat; the
# main thread for redis-server)
sched() { awk '{printf "%.3f %.3f", $1 / 1e9, $2 / 1e9}' "/proc/$1/schedstat" 2>/dev/null || echo "0 0"; }
now() { date +%s.%N; }
info_field() { rcli INFO "$1" | tr -d '\r' | sed -n "s/^$2://p"; }

stop_redis() {
	rcli SHUTDOWN NOSAVE >/dev/null 2>&1 || true
	wait "$REDIS_PID" 2>/dev/null || true
	REDIS_PID=""
}

# Loads the region into vs:{0}:events, then rewrites the AOF so no rewrite
# of the load runs during the measurement. The first load's AOF is kept and
# given to the following servers (each still a fresh redis-server process).
load() {
	if [ -d "$WORK/loaded" ]; then
		n=$(rcli XLEN 'vs:{0}:events')
		[ "$n" -eq "$lines" ] || { echo "preloaded $n of $lines"; exit 1; }
		return 0
	fi
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
	sleep 0.2
	[ "$aof" = yes ] && cp -r "$WORK/redis/appendonlydir" "$WORK/loaded"
	return 0
}

# a fresh redis-server, with the first load's AOF once there is one
start_redis_loaded() {
	if [ -d "$WORK/loaded" ]; then
		rm -rf "$WORK/redis"
		mkdir "$WORK/redis"
		cp -r "$WORK/loaded" "$WORK/redis/appendonlydir"
		redis-server --port 0 --unixsocket "$SOCK" --unixsocketperm 700 --dir "$WORK/redis" \
			--appendonly yes --appendfsync "${REDIS_FSYNC:-everysec}" --save '' --daemonize no \
			--logfile "$WORK/redis.log" &
		REDIS_PID=$!
		n=0
		until [ "$(rcli ping 2>/dev/null)" = PONG ]; do
			n=$((n + 1)); [ $n -gt 600 ] && { echo "redis-server did not start"; exit 1; }
			sleep 0.05
		done
	else
		bench_start_redis "$aof"
	fi
}

# measure noop|daemon: appends "wall_s consumer_cpu_s redis_cpu_s" to
# $WORK/noop.txt or $WORK/daemon.txt; for the daemon also writes $WORK/daemon.extra: "tasks dead vmhwm_kib used_memory"
measure() {
	start_redis_loaded
	load
	log0=$(wc -l <"$WORK/redis.log")
	r0=$(cpu_ticks_all "$REDIS_PID")
	k0=$(child_ticks "$REDIS_PID")
	in0=$(info_field stats total_net_input_bytes)
	out0=$(info_field stats total_net_output_bytes)
	w0=$(wchar "$REDIS_PID")
	q0=$(sched "$REDIS_PID")
	t0=$(now)
	if [ "$1" = noop ]; then
		/usr/bin/time -f "%U %S" -o "$WORK/noop.time" $B/noop_consumer "$SOCK" >"$WORK/noop.out" &
	else
		# shellcheck disable=SC2086
		vsd=$VSD
		case $1 in base*) vsd=$(baseline_dir "${1#base}")/vroegsignaald ;; esac
		# shellcheck disable=SC2086
		env ${VSD_ENV:-} "$vsd" --config "$WORK/bench.json" >"$WORK/daemon.log" 2>&1 &
	fi
	CONSUMER_PID=$!
	perf_pid=""
	if [ -n "${PERF:-}" ] && [ "$1" = daemon ]; then
		# PERF=1: profile the daemon and redis-server during the measurement
		perf record -q -g -o "$B/perf-$1.data" -p "$CONSUMER_PID,$REDIS_PID" 2>/dev/null &
		perf_pid=$!
	fi
	$VS status --redis "$SOCK" --wait 3600 --interval 10 --quiet
	if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; perf_pid=""; fi
	t1=$(now)
	[ "$1" = daemon ] && rcli INFO commandstats >"$B/cmdstats.txt"
	q1=$(sched "$REDIS_PID")
	c1q=$(sched "$CONSUMER_PID")
	r1=$(cpu_ticks_all "$REDIS_PID")
	k1=$(child_ticks "$REDIS_PID")
	in1=$(info_field stats total_net_input_bytes)
	out1=$(info_field stats total_net_output_bytes)
	w1=$(wchar "$REDIS_PID")
	# where the wall went: on CPU, runnable but waiting for a core (the
	# other jobs on the machine), or neither (waiting for the other side)
	echo "$t0 $t1 $q0 $q1 $c1q" | awk '{w = $2 - $1; printf "consumer %.2f s on cpu, %.2f s waiting for a core, %.2f s idle; redis main thread %.2f s on cpu, %.2f s waiting for a core, %.2f s idle", $7, $8, w - $7 - $8, $5 - $3, $6 - $4, w - ($5 - $3) - ($6 - $4)}' >"$WORK/$1.sched"
	echo "$in0 $in1 $out0 $out1 $w0 $w1" | awk -v l="$lines" '{printf "redis network: %.0f bytes in, %.0f bytes out per registration; AOF %.0f bytes per registration", ($2 - $1) / l, ($4 - $3) / l, ($6 - $5 - ($4 - $3)) / l}' >"$WORK/$1.net"
	echo "$in0 $in1 $out0 $out1 $w0 $w1" | awk -v l="$lines" '{printf "%.1f %.1f\n", ($2 - $1) / l, ($6 - $5 - ($4 - $3)) / l}' >>"$WORK/$1.bytes"
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
		case $1 in base*) echo "$tasks" >"$WORK/$1.tasks" ;; esac
	fi
	stop_redis
}

# the Nth directory of BASELINE (words separated by blanks)
baseline_dir() {
	# shellcheck disable=SC2086
	set -- $BASELINE "$1"
	eval "n=\${$(($#))}"
	shift "$((n - 1))"
	echo "$1"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >"$WORK/noop.txt"
: >"$WORK/daemon.txt"
# shellcheck disable=SC2086
nbase=$(echo ${BASELINE:-} | wc -w)
run=1
while [ $run -le "$runs" ]; do
	measure noop
	b=1
	while [ $b -le "$nbase" ]; do
		measure base$b
		echo "run $run: baseline $b $(tail -1 "$WORK/base$b.txt"); $(cat "$WORK/base$b.net")"
		echo "       baseline $b: $(cat "$WORK/base$b.sched")"
		b=$((b + 1))
	done
	measure daemon
	echo "run $run: no-op $(tail -1 "$WORK/noop.txt"), daemon $(tail -1 "$WORK/daemon.txt") (wall s, consumer cpu s, redis cpu s)"
	echo "       $(cat "$WORK/daemon.stats"); $(cat "$WORK/daemon.aof")"
	echo "       daemon: $(cat "$WORK/daemon.sched")"
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
ds=$(cut -d' ' -f1 "$WORK/daemon.bytes" | median)
da=$(cut -d' ' -f2 "$WORK/daemon.bytes" | median)
na=$(cut -d' ' -f2 "$WORK/noop.bytes" | median)
b=1
while [ $b -le "$nbase" ]; do
	bw=$(cut -d' ' -f1 "$WORK/base$b.txt" | median)
	bc=$(cut -d' ' -f2 "$WORK/base$b.txt" | median)
	br=$(cut -d' ' -f3 "$WORK/base$b.txt" | median)
	bs=$(cut -d' ' -f1 "$WORK/base$b.bytes" | median)
	ba=$(cut -d' ' -f2 "$WORK/base$b.bytes" | median)
	echo "baseline $b: $(baseline_dir "$b"), tasks $(cat "$WORK/base$b.tasks")"
	awk -v l="$lines" -v nw="$nw" -v bw="$bw" -v bc="$bc" -v br="$br" -v bs="$bs" -v ba="$ba" -v b="$b" 'BEGIN {
	printf "median baseline %d: %6.2f s wall, %6.0f registrations/s (%.2f of the no-op); cpu per registration daemon %.1f us + redis %.1f us; sent %.0f B, AOF %.0f B per registration\n", b, bw, l / bw, nw / bw, bc * 1e6 / l, br * 1e6 / l, bs, ba
	}'
	b=$((b + 1))
done
echo "median bytes per registration: daemon sent $ds, AOF $da (no-op AOF $na)"
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
