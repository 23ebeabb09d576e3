#!/bin/sh
# Replay benchmark (issue 2): throughput and peak memory of `vroegsignaal replay`
# over a generated region of 30,000 pupils for a whole school year, against a
# parse-only pass (same file, same JSON parser, same validation) in the same run.
#
#   sh bench/replay.sh [PUPILS] [SEED] [RUNS]
#   BASELINE=/path/to/older/vroegsignaal sh bench/replay.sh ...   (before/after)
#
# With BASELINE, each run also replays with that binary (alternating with the
# current one, so both see the same load) and its median is printed too.
# Prints one line per run and the medians; bench/README.md records the figures.
set -eu
cd "$(dirname "$0")/.."
pupils=${1:-30000}
seed=${2:-42}
runs=${3:-3}
sh scripts/setup.sh
command -v /usr/bin/time >/dev/null 2>&1 || {
	if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
	$sudo apt-get install -y -qq time >/dev/null
}
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DVS_TESTS=OFF >/dev/null
cmake --build build/bench -j"$(nproc)" >/dev/null
bin=build/bench/vroegsignaal
ids_secret=build/bench/ids.secret # the fixed test secret
(umask 077 && cat tests/fixtures/ids.secret >"$ids_secret")
cfg=config/vroegsignaal.json
data=build/bench/region-$pupils-$seed.jsonl
[ -s "$data" ] || $bin generate --config $cfg --seed "$seed" --pupils "$pupils" >"$data"
lines=$(wc -l <"$data")
echo "input: $data, $lines lines, $(du -h "$data" | cut -f1)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"

baseline=${BASELINE:-}
measure() { # [binary] mode -> "cpu_seconds maxrss_kib wall_seconds"
	b=$bin err=build/bench/replay.err
	case "$1" in --*) ;; *) b=$1 err=build/bench/baseline.err; shift ;; esac
	/usr/bin/time -f "%U %S %M %e" -o build/bench/time.txt "$b" replay --ids-secret "$ids_secret" --config $cfg "$@" "$data" \
		>/dev/null 2>"$err"
	awk '{printf "%.2f %d %.2f\n", $1 + $2, $3, $4}' build/bench/time.txt
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >build/bench/parse.txt
: >build/bench/replay.txt
: >build/bench/baseline.txt
i=0
while [ $i -lt "$runs" ]; do
	p=$(measure --parse-only)
	r=$(measure --stats)
	echo "run $((i + 1)): parse-only $p, replay $r (cpu s, peak KiB, wall s)"
	if [ -n "$baseline" ]; then
		o=$(measure "$baseline" --stats)
		echo "run $((i + 1)): baseline replay $o"
		echo "$o" >>build/bench/baseline.txt
	fi
	echo "$p" >>build/bench/parse.txt
	echo "$r" >>build/bench/replay.txt
	i=$((i + 1))
done
grep 'state:' build/bench/replay.err || true
grep 'signals' build/bench/replay.err | head -1 || true
ps=$(cut -d' ' -f1 build/bench/parse.txt | median)
rs=$(cut -d' ' -f1 build/bench/replay.txt | median)
pm=$(cut -d' ' -f2 build/bench/parse.txt | median)
rm=$(cut -d' ' -f2 build/bench/replay.txt | median)
pw=$(cut -d' ' -f3 build/bench/parse.txt | median)
rw=$(cut -d' ' -f3 build/bench/replay.txt | median)
awk -v l="$lines" -v ps="$ps" -v rs="$rs" -v pm="$pm" -v rm="$rm" -v pw="$pw" -v rw="$rw" -v n="$pupils" 'BEGIN {
	printf "median parse-only: %.2f s cpu (%.2f s wall), %.0f lines/s, peak RSS %.1f MiB\n", ps, pw, l/ps, pm/1024
	printf "median replay:     %.2f s cpu (%.2f s wall), %.0f registrations/s, peak RSS %.1f MiB\n", rs, rw, l/rs, rm/1024
	printf "replay rate / parse-only rate: %.2f by cpu time, %.2f by wall time (target >= 0.5)\n", ps/rs, pw/rw
	printf "peak RSS above parse-only per pupil: %.0f bytes\n", (rm-pm)*1024/n
	printf "rules per registration: %.2f us (replay cpu - parse-only cpu)\n", (rs-ps)*1e6/l
}'
if [ -n "$baseline" ]; then
	bs=$(cut -d' ' -f1 build/bench/baseline.txt | median)
	awk -v l="$lines" -v ps="$ps" -v bs="$bs" 'BEGIN {
		printf "median baseline replay: %.2f s cpu, ratio to parse-only %.2f, rules %.2f us per registration\n", bs, ps/bs, (bs-ps)*1e6/l
	}'
fi
