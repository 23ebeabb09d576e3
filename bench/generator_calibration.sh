#!/bin/sh
# The generator's calibration (issue 9): generates a VO region and counts the
# figures docs/generate.md sets beside their targets, from the registrations
# and from the signals `vroegsignaal replay` makes of them.
#
#   sh bench/generator_calibration.sh [PUPILS=14000] [SEED=1] [YEARS=1] [CALIBRATION=region]
#
# VS=path/to/vroegsignaal uses that binary instead of building build/bench.
# Prints "figure<TAB>value" lines (per 1,000 pupils a school year unless the
# name says otherwise); the same arguments give the same figures.
set -eu
cd "$(dirname "$0")/.."
pupils=${1:-14000}
seed=${2:-1}
years=${3:-1}
calibration=${4:-region}
if [ -z "${VS:-}" ]; then
	cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DVS_TESTS=OFF >/dev/null
	cmake --build build/bench -j2 >/dev/null
	VS=build/bench/vroegsignaal
fi
cfg=config/vroegsignaal.json
work=$(mktemp -d /tmp/vs-calibration.XXXXXX)
ids_secret=$work/ids.secret # the fixed test secret
(umask 077 && cat tests/fixtures/ids.secret >"$ids_secret")
trap 'rm -rf "$work"' EXIT
"$VS" generate --config $cfg --seed "$seed" --pupils "$pupils" --sector vo --years "$years" \
	--calibration "$calibration" >"$work/events.jsonl" 2>"$work/generate.err"
"$VS" replay --ids-secret "$ids_secret" --config $cfg "$work/events.jsonl" >"$work/signals.jsonl" 2>"$work/replay.err"
echo "input: generate --seed $seed --pupils $pupils --sector vo --years $years --calibration $calibration ($(wc -l <"$work/events.jsonl") lines)"
python3 bench/generator_figures.py "$work/events.jsonl" "$work/signals.jsonl" \
	"$(jq '.rules.full_day_minutes' $cfg)" vo
