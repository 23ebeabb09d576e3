#!/bin/sh
# Long fuzzing run (issue 11): every libFuzzer target in fuzz/ (or the ones
# named), one after the other on one core, each for RUNS executions (or until
# MAX_TIME seconds have passed, when given), from the seeds in
# fuzz/corpus/<target>/ plus what earlier runs found (build/fuzz/corpus/).
#
#   sh bench/fuzz.sh [target ...]
#   RUNS=10000000 MAX_TIME=0 NICE=10 sh bench/fuzz.sh fuzz_state
#
# Prints, per target: executions, exec/s, coverage (cov, ft) and crashes;
# libFuzzer's full output goes to build/fuzz/<target>.log and any crashing
# input to build/fuzz/artifacts/. bench/README.md records the figures.
set -eu
cd "$(dirname "$0")/.."
runs=${RUNS:-10000000}
max_time=${MAX_TIME:-0}
nice_level=${NICE:-10}
command -v clang >/dev/null 2>&1 || sh scripts/setup.sh
CC=clang cmake -S . -B build/fuzz -DVS_FUZZ=ON -DVS_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/fuzz -j"$(nproc)" >/dev/null
targets=${*:-$(cd fuzz && ls fuzz_*.c | sed 's/\.c$//')}
mkdir -p build/fuzz/artifacts
failed=0
for t in $targets; do
	work=build/fuzz/corpus/$t
	mkdir -p "$work"
	log=build/fuzz/$t.log
	start=$(date +%s)
	set +e
	# -jobs/-workers stay at 1: one core
	nice -n "$nice_level" "build/fuzz/fuzz/$t" -runs="$runs" -max_total_time="$max_time" \
		-print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$t-" \
		"$work" "fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	set -e
	secs=$(($(date +%s) - start))
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
	cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	crashes=$(ls build/fuzz/artifacts 2>/dev/null | grep -c "^$t-" || true)
	echo "$t: ${execs:-?} executions in $secs s ($(( ${execs:-0} / (secs > 0 ? secs : 1) )) exec/s), cov ${cov:-?} ft ${ft:-?}, exit $rc, $crashes crashing inputs"
	[ "$rc" -eq 0 ] || failed=1
done
exit $failed
