#!/bin/sh
# Partner load (issue 9): how many signals and tasks a VO region gives each
# partner role, per lesson week (mean and worst week) and per 1,000 pupils a
# school year, for two builds of vroegsignaal on the same registrations.
#
#   sh bench/partner_load.sh BIN_V1 BIN_V2 [PUPILS=14000] [SEED=1]
#
# BIN_V1, BIN_V2: the two `vroegsignaal` binaries. Each replays with its own
# source tree's config/vroegsignaal.json (found as BIN/../../config when the
# binary sits in SRC/build/, else set CFG_V1 / CFG_V2); tasks per role come
# from that configuration's routes: a task per routed role and signal.
# The registrations: `BIN_V2 generate --sector vo` (GEN=path overrides the
# generator; v1's binary has no --sector), one school year (2026-2027).
# Build v1 from commit 84f53d9, for example:
#   mkdir /tmp/v1 && git archive 84f53d9 | tar -x -C /tmp/v1 &&
#   cmake -S /tmp/v1 -B /tmp/v1/build -DCMAKE_BUILD_TYPE=Release -DVS_TESTS=OFF &&
#   cmake --build /tmp/v1/build -j2 --target vroegsignaal
# ROUTES_V2=FILE (a JSON object with a "routes" array, e.g. bench/routes/*.json):
# v2 replays with its configuration as above but its tasks and cases are
# counted with these routes instead (routes decide who gets a signal, not
# which signals there are), so a route alternative needs no configuration
# of its own. OVERDUE_PERCENT=P adds a what-if: the escalations if P % of
# the tasks went overdue (bench/partner_load.py).
# Prints Markdown tables; bench/README.md records them.
set -eu
[ $# -ge 2 ] || { echo "usage: sh bench/partner_load.sh BIN_V1 BIN_V2 [PUPILS] [SEED]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
abs() { (cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")"); }
v1=$(abs "$1")
v2=$(abs "$2")
pupils=${3:-14000}
seed=${4:-1}
cfg_v1=${CFG_V1:-$(dirname "$(dirname "$v1")")/config/vroegsignaal.json}
cfg_v2=${CFG_V2:-$(dirname "$(dirname "$v2")")/config/vroegsignaal.json}
gen=${GEN:-$v2}
for f in "$cfg_v1" "$cfg_v2"; do
	[ -f "$f" ] || { echo "partner_load: no configuration $f (set CFG_V1 / CFG_V2)" >&2; exit 2; }
done
work=$(mktemp -d /tmp/vs-partner-load.XXXXXX)
ids_secret=$work/ids.secret # the fixed test secret (v2 keys every id)
(umask 077 && cat tests/fixtures/ids.secret >"$ids_secret")
trap 'rm -rf "$work"' EXIT
"$gen" generate --config "$cfg_v2" --seed "$seed" --pupils "$pupils" --sector vo \
	>"$work/events.jsonl" 2>"$work/generate.err"
echo "registrations: $(basename "$gen") generate --seed $seed --pupils $pupils --sector vo ($(wc -l <"$work/events.jsonl") lines)"
echo "v1: $v1 with $cfg_v1"
echo "v2: $v2 with $cfg_v2"
# v1 may be a binary from before the id secret (no --ids-secret option)
v1_ids=
if "$v1" replay --help 2>&1 | grep -q -- --ids-secret; then v1_ids="--ids-secret $ids_secret"; fi
# shellcheck disable=SC2086 # v1_ids is empty or two words
"$v1" replay $v1_ids --config "$cfg_v1" "$work/events.jsonl" >"$work/v1.jsonl" 2>"$work/v1.err"
"$v2" replay --ids-secret "$ids_secret" --config "$cfg_v2" "$work/events.jsonl" >"$work/v2.jsonl" 2>"$work/v2.err"
echo "v1 replay: $(tail -1 "$work/v1.err")"
echo "v2 replay: $(tail -1 "$work/v2.err")"
count_v2=$cfg_v2
if [ -n "${ROUTES_V2:-}" ]; then
	count_v2=$work/v2-routes.json
	python3 -c 'import json, sys
cfg = json.load(open(sys.argv[1], encoding="utf-8"))
cfg["routes"] = json.load(open(sys.argv[2], encoding="utf-8"))["routes"]
json.dump(cfg, open(sys.argv[3], "w", encoding="utf-8"))' "$cfg_v2" "$ROUTES_V2" "$count_v2"
	echo "v2 counted with the routes of $ROUTES_V2"
fi
echo
python3 "$here/partner_load.py" "$work/events.jsonl" v1 "$cfg_v1" "$work/v1.jsonl" \
	v2 "$count_v2" "$work/v2.jsonl"
