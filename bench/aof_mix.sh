#!/bin/sh
# What the AOF holds per registration, by command (issue 15, item 4): loads a
# generated region into a fresh redis-server (unix socket, AOF on, appendfsync
# everysec, automatic AOF rewrites OFF so that every command the consumer
# causes stays in one incremental AOF file), rewrites the AOF, runs
# vroegsignaald until caught up, then splits that file by command
# (bench/aof_mix.py; the state, tasks, task-id and day-hash writes apart).
#
#   sh bench/aof_mix.sh [PUPILS=3000] [SEED=42]
#   VSD=path/to/vroegsignaald   another build (default: build/bench's)
set -eu
cd "$(dirname "$0")/.."
pupils=${1:-3000}
seed=${2:-42}
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DVS_TESTS=OFF >/dev/null
cmake --build build/bench -j2 >/dev/null
VS=build/bench/vroegsignaal
VSD=${VSD:-build/bench/vroegsignaald}
data=build/bench/region-$pupils-$seed.jsonl
[ -s "$data" ] || $VS generate --config config/vroegsignaal.json --seed "$seed" --pupils "$pupils" >"$data"
lines=$(wc -l <"$data")
. bench/lib.sh
bench_header
mkdir "$WORK/redis"
redis-server --port 0 --unixsocket "$SOCK" --unixsocketperm 700 --dir "$WORK/redis" \
	--appendonly yes --appendfsync everysec --save '' --daemonize no \
	--auto-aof-rewrite-percentage 0 --logfile "$WORK/redis.log" &
REDIS_PID=$!
n=0
until rcli ping >/dev/null 2>&1; do
	n=$((n + 1)); [ $n -gt 200 ] && { echo "redis-server did not start"; exit 1; }
	sleep 0.05
done
$VS send --config "$WORK/bench.json" "$data" 2>"$WORK/send.log"
rcli BGREWRITEAOF >/dev/null
sleep 0.5
while [ "$(rcli INFO persistence | tr -d '\r' | sed -n 's/^aof_rewrite_in_progress://p')" = 1 ]; do
	sleep 0.1
done
sleep 1.1 # the load's last writes reach the old file
$VSD --config "$WORK/bench.json" >"$WORK/daemon.log" 2>&1 &
CONSUMER_PID=$!
$VS status --redis "$SOCK" --wait 3600 --quiet
kill -TERM "$CONSUMER_PID"
wait "$CONSUMER_PID" || true
CONSUMER_PID=""
sleep 1.1 # appendfsync everysec
# the incremental file opened by the rewrite: the one with the highest number
f=""
for g in "$WORK"/redis/appendonlydir/*.incr.aof; do f=$g; done
echo "daemon: $VSD; $lines registrations, $pupils pupils; tasks $(rcli XLEN 'vs:{0}:tasks')"
python3 bench/aof_mix.py "$f" "$lines"
