#!/bin/sh
# Crash-safety run (issue: daemon): tests/integration/crash.sh at scale.
# ~6,000 pupils (~100,000 registrations) flow in over a few minutes in
# chunks of 500 while vroegsignaald is killed with SIGKILL after a seeded
# random 100..700 ms of life and restarted, again and again, until the last
# chunk is in; then the final tasks must equal replay's signals for the same
# file: nothing lost, no task twice, no dead letter.
#
#   sh bench/crash.sh [PUPILS] [SEED] [RUNS]      (defaults 6000 1 3)
#
# crash.sh has no kill limit of its own to raise: it kills until the sender
# is done (at most 1000 times), so the number of kills grows with PUPILS
# (about one per 0.45 s of sending: ~100 for 6,000 pupils). RUNS runs with
# seeds SEED, SEED+1, ... (other data, other kill moments) add up the kills. Release build (build/bench); redis as in
# tests/integration/lib.sh (unix socket, AOF, appendfsync always).
set -eu
cd "$(dirname "$0")/.."
pupils=${1:-6000}
seed=${2:-1}
runs=${3:-3}
sh scripts/setup.sh
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DVS_TESTS=OFF >/dev/null
cmake --build build/bench -j"$(nproc)" >/dev/null
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo "source: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- daemon rules cli connectors 2>/dev/null || echo ' + uncommitted changes')"
failed=0
all_kills=0
all_regs=0
i=0
while [ $i -lt "$runs" ]; do
	s=$((seed + i))
	out=build/bench/crash-$pupils-$s.log
	start=$(date +%s)
	if sh tests/integration/crash.sh build/bench . "$pupils" "$s" >"$out" 2>&1; then r=passed; else r=FAILED; failed=1; fi
	secs=$(($(date +%s) - start))
	regs=$(sed -n 's/^\([0-9]*\) registrations$/\1/p' "$out")
	kills=$(sed -n 's/^\([0-9]*\) kill -9 .*/\1/p' "$out")
	tasks=$(sed -n 's/.*no task id twice (\([0-9]*\) tasks).*/\1/p' "$out")
	signals=$(sed -n 's/.*uninterrupted run.s signals (\([0-9]*\)).*/\1/p' "$out")
	equal=$(grep -q '^ok   tasks equal' "$out" && echo yes || echo NO)
	twice=$(grep -q '^ok   no task id twice' "$out" && echo none || echo SOME)
	dead=$(grep -q '^ok   no dead letters' "$out" && echo 0 || echo SOME)
	echo "seed $s: $r in $secs s: $pupils pupils, $regs registrations, $kills kill -9, $tasks tasks, replay $signals signals, equal: $equal, duplicates: $twice, dead letters: $dead (log: $out)"
	[ $r = passed ] || cat "$out"
	all_kills=$((all_kills + ${kills:-0}))
	all_regs=$((all_regs + ${regs:-0}))
	i=$((i + 1))
done
echo "in all: $runs runs, $all_regs registrations, $all_kills kill -9: $([ $failed = 0 ] && echo 'every run passed' || echo 'SOME RUN FAILED')"
exit $failed
