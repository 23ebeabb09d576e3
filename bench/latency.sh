#!/bin/sh
# Latency benchmark (issue: daemon): time from XADD of a registration to the
# task entry it raises, at a steady 2,000 registrations/s.
#
#   sh bench/latency.sh [RATE] [SECONDS] [RUNS] [EVERY]     (defaults 2000 20 3 10)
#
# Each run gets a fresh redis-server (unix socket in a temporary directory,
# AOF on, appendfsync everysec) and a fresh vroegsignaald (sweep_clock
# "events", batch_size 500, block_ms 100, otherwise as
# tests/integration/lib.sh). bench/paced_producer.c XADDs registrations at
# RATE per second for SECONDS, all dated 2026-09-07 (a Monday, 16th school
# day): every EVERY-th is a `concern` for a pupil of its own, which raises
# exactly one mazl concern task at once; the rest is background (authorised
# absences, authorised late arrivals, present hours for 20,000 pupils) that
# raises nothing at that date. Latency = ms part of the task entry's stream
# id (stamped by Redis in the commit script) - ms part of the concern's
# event entry id (stamped by Redis at XADD): one clock, 1 ms resolution.
# With the events clock and one date throughout, no sweep ever runs (the
# first entry sets the swept marker to the day before; nothing moves it),
# so what is measured is read -> load state -> rules -> commit.
# Prints p50/p90/p99/p99.9/max per run, and the medians over the runs.
set -eu
cd "$(dirname "$0")/.."
rate=${1:-2000}
seconds=${2:-20}
runs=${3:-3}
every=${4:-10}
date=2026-09-07
sh scripts/setup.sh
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DVS_TESTS=OFF >/dev/null
cmake --build build/bench -j"$(nproc)" >/dev/null
B=build/bench
# shellcheck disable=SC2046
cc -O2 -Wall -Wextra -o $B/paced_producer bench/paced_producer.c $(pkg-config --cflags --libs hiredis)
VS=$B/vroegsignaal
VSD=$B/vroegsignaald
. bench/lib.sh

bench_header
echo "redis: $(redis-server --version | cut -d' ' -f3), unix socket, appendonly yes, appendfsync everysec, save ''"
echo "load: $rate registrations/s for $seconds s, every ${every}th a concern (the samples), date $date"



: >"$WORK/results.txt"
i=1
while [ $i -le "$runs" ]; do
	bench_start_redis
	$VSD --config "$WORK/bench.json" >"$WORK/daemon.log" 2>&1 &
	DAEMON_PID=$!
	# consuming once the group exists and the daemon holds the lease
	n=0
	until [ "$(rcli EXISTS 'vs:{0}:lease')" = 1 ] && rcli XINFO GROUPS 'vs:{0}:events' 2>/dev/null | grep -q rules; do
		n=$((n + 1)); [ $n -gt 200 ] && { echo "the daemon did not start"; cat "$WORK/daemon.log"; exit 1; }
		sleep 0.05
	done
	sleep 0.5
	d0=$(cpu_ticks "$DAEMON_PID")
	r0=$(cpu_ticks "$REDIS_PID")
	$B/paced_producer produce "$SOCK" "$rate" "$seconds" "$every" "$date" "$WORK/sent.txt" >"$WORK/produce.out"
	d1=$(cpu_ticks "$DAEMON_PID")
	r1=$(cpu_ticks "$REDIS_PID")
	$VS status --redis "$SOCK" --wait 120 --quiet
	res=$($B/paced_producer match "$SOCK" "$WORK/sent.txt")
	cpu=$(awk -v a="$d0" -v b="$d1" -v c="$r0" -v d="$r1" -v tk="$TICK" -v s="$seconds" \
		'BEGIN {printf "daemon cpu %.1f %%, redis cpu %.1f %%", (b - a) / tk / s * 100, (d - c) / tk / s * 100}')
	echo "run $i: $(cat "$WORK/produce.out")"
	echo "run $i: $res; $cpu; dead letters $(rcli XLEN 'vs:{0}:dead')"
	echo "$res" >>"$WORK/results.txt"
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || true
	DAEMON_PID=""
	rcli SHUTDOWN NOSAVE >/dev/null 2>&1 || true
	wait "$REDIS_PID" 2>/dev/null || true
	REDIS_PID=""
	i=$((i + 1))
done
col() { # name -> median of that column over the runs
	awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}' "$WORK/results.txt" |
		sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
total=$(awk '{s += $2} END {print s}' "$WORK/results.txt")
echo "median over $runs runs ($total samples in all): p50 $(col p50) ms, p90 $(col p90) ms, p99 $(col p99) ms, p99.9 $(col p999) ms, max $(col max) ms, mean $(col mean) ms (ids have 1 ms resolution: 0 means within the same millisecond)"
