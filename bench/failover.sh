#!/bin/sh
# Failover on Redis Sentinel (issue 12): the scenario of
# tests/integration/failover.sh (a master, replicas and three sentinels on
# loopback, a steady load from `send`, the daemon with a webhook partner)
# with a larger load, one fault kind per run, each run on a fresh setup, so
# that every figure belongs to one kind of fault:
#   planned       SENTINEL FAILOVER
#   kill          kill -9 of the master
#   kill+restart  kill -9 of the master, then the old master restarted on its port
# Per run: registrations `send` reported stored that the final master does not
# have (lost), registrations sent without a reply, tasks twice / only in the
# daemon / only in a replay of what Redis kept (duplicate / extra / missing),
# deliveries that repeated an Idempotency-Key, delivered tasks no longer in
# Redis, and the seconds from the fault until the daemon processes again.
#
#   sh bench/failover.sh [RUNS] [PUPILS]          (defaults 2 600)
# environment: MIN_REPLICAS=1 (min-replicas-to-write 1 on every server; two
#   replicas unless REPLICAS says otherwise), REPLICAS=1|2, DAEMON_REDIS (more
#   members of the "redis" object the daemon and `send` read, e.g.
#   DAEMON_REDIS=', "min_replicas": 1' for WAIT after their writes)
set -eu
cd "$(dirname "$0")/.."
runs=${1:-2}
pupils=${2:-600}
sh scripts/setup.sh
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DVS_TESTS=OFF >/dev/null
cmake --build build/bench -j2 >/dev/null
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "source: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- daemon rules cli connectors 2>/dev/null || echo ' + uncommitted changes')"
min=${MIN_REPLICAS:-0}
replicas=1
[ "$min" -gt 0 ] && replicas=2
replicas=${REPLICAS:-$replicas}
echo "$pupils pupils, $runs run(s) per fault, min-replicas-to-write $min, $replicas replica(s)," \
	"daemon redis extra: '${DAEMON_REDIS:-}'"
out=$(mktemp /tmp/vs-bench-failover.XXXXXX)
trap 'rm -f "$out"' EXIT
printf '%-13s %4s %7s %5s %7s %6s %6s %6s %6s %6s %s\n' fault run stored lost unsure twice extra \
	missing dupdel gone "resumed after (s)"
failed=0
for fault in planned kill kill+restart; do
	r=1
	while [ "$r" -le "$runs" ]; do
		faults=$(echo "$fault" | tr + " ")
		rc=0
		FAULTS="$faults" PUPILS="$pupils" SLICES=$((pupils / 3)) PAUSE=0.15 SEED=$((40 + r)) \
			REPLICAS=$replicas MIN_REPLICAS=$min \
			sh tests/integration/failover.sh build/bench . >"$out" 2>&1 || rc=$?
		[ "$rc" -eq 0 ] || { failed=$((failed + 1)); grep '^FAIL' "$out" | sed 's/^/    /'; }
		set -- $(sed -n 's/^send reported \([0-9]*\) registrations stored; \([0-9]*\) of them lost; \([0-9]*\) sent.*/\1 \2 \3/p' "$out") - - -
		stored=$1 lost=$2 unsure=$3
		set -- $(sed -n 's/^tasks: \([0-9]*\) in Redis, \([0-9]*\) twice, \([0-9]*\) only in the daemon, \([0-9]*\) only in replay/\2 \3 \4/p' "$out") - - -
		twice=$1 extra=$2 missing=$3
		set -- $(sed -n 's/^deliveries: [0-9]* answered 200, \([0-9]*\) repeated a key, \([0-9]*\) of tasks.*/\1 \2/p' "$out") - -
		dup=$1 gone=$2
		resumed=$(sed -n 's/.*processing resumed after \([0-9a-z]*\) ms.*/\1/p' "$out" |
			awk '{ printf "%s%s", sep, ($1 == "never" ? "never" : sprintf("%.1f", $1 / 1000)); sep = " / " }')
		printf '%-13s %4s %7s %5s %7s %6s %6s %6s %6s %6s %s\n' "$fault" "$r" "$stored" "$lost" \
			"$unsure" "$twice" "$extra" "$missing" "$dup" "$gone" "$resumed"
		r=$((r + 1))
	done
done
echo "(stored: lines send reported stored; lost: of those, not in the final master; unsure: sent"
echo " without a reply; twice/extra/missing: tasks against a replay of the registrations Redis kept;"
echo " dupdel: deliveries repeating an Idempotency-Key; gone: delivered tasks no longer in Redis;"
echo " resumed: per fault, from the fault until the daemon processed on the (new) master again)"
[ "$failed" -eq 0 ] || echo "$failed run(s) had failed checks (above)"
