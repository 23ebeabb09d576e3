#!/bin/sh
# The generator is deterministic by seed, writes only valid registrations
# unless asked for invalid ones, spans two school years when asked, gives a
# region its calibration figures (docs/generate.md), and the bundled sample
# is what it says it is.
set -eu
bin=$1
src=$2
cfg=$src/config/vroegsignaal.json
tmp=$(mktemp -d)
# ids are keyed: the fixed test secret gives stable ids (mode 0600, as required)
(umask 077 && cat "$src/tests/fixtures/ids.secret" >"$tmp/ids.secret")
trap 'rm -rf "$tmp"' EXIT
fail=0
passed=0
check() { if "$@"; then echo "ok   $desc"; passed=$((passed + 1)); else echo "FAIL $desc"; fail=$((fail + 1)); fi; }

"$bin" generate --config "$cfg" --seed 7 --pupils 120 >"$tmp/a" 2>/dev/null
"$bin" generate --config "$cfg" --seed 7 --pupils 120 >"$tmp/b" 2>/dev/null
"$bin" generate --config "$cfg" --seed 8 --pupils 120 >"$tmp/c" 2>/dev/null
desc="same seed, same bytes"; check cmp -s "$tmp/a" "$tmp/b"
desc="another seed, other bytes"; check sh -c '! cmp -s "$1" "$2"' sh "$tmp/a" "$tmp/c"
"$bin" replay --ids-secret "$tmp/ids.secret" --config "$cfg" --strict "$tmp/a" >"$tmp/sig" 2>"$tmp/err"
desc="generated data replays with --strict (no invalid line)"; check test -s "$tmp/sig"
"$bin" generate --config "$cfg" --seed 7 --pupils 120 --invalid-permille 50 >"$tmp/d" 2>/dev/null
"$bin" replay --ids-secret "$tmp/ids.secret" --config "$cfg" "$tmp/d" >/dev/null 2>"$tmp/err2"
n=$(grep -c '^line ' "$tmp/err2" || true)
desc="--invalid-permille 50 gives invalid lines ($n)"; check test "$n" -gt 0
# The sample was made with the first calibration:
# generate --seed 2026 --pupils 600 --invalid-permille 3 --calibration v1
"$bin" generate --config "$cfg" --seed 2026 --pupils 600 --invalid-permille 3 --calibration v1 \
	>"$tmp/s" 2>/dev/null
desc="config/sample/events.jsonl is reproducible from its seed (--calibration v1)"
check cmp -s "$tmp/s" "$src/config/sample/events.jsonl"

# Two school years: valid in both, in recording order, and thuiszitters
# whose run goes on over the summer (an lrv signal in the second year for a
# run that began in the first).
"$bin" generate --config "$cfg" --seed 3 --pupils 2000 --years 2 --invalid-permille 10 \
	>"$tmp/y2" 2>/dev/null
"$bin" generate --config "$cfg" --seed 3 --pupils 2000 --years 2 >"$tmp/y2v" 2>/dev/null
"$bin" replay --ids-secret "$tmp/ids.secret" --config "$cfg" --strict "$tmp/y2v" >"$tmp/y2sig" 2>/dev/null
desc="--years 2 replays with --strict"; check test -s "$tmp/y2sig"
"$bin" replay --ids-secret "$tmp/ids.secret" --config "$cfg" "$tmp/y2" >"$tmp/y2isig" 2>/dev/null
desc="--years 2: invalid lines change no signal"; check cmp -s "$tmp/y2sig" "$tmp/y2isig"
desc="--years 2 has registrations in both years"
check sh -c 'grep -q "\"date\":\"2026-0[89]" "$1" && grep -q "\"date\":\"2028-0[67]" "$1"' sh "$tmp/y2v"
desc="--years 2 is in recording order"
check sh -c 'sed "s/.*\"recorded_at\":\"\([^\"]*\)\".*/\1/" "$1" | LC_ALL=C sort -c' sh "$tmp/y2v"
desc="a thuiszitter's run goes on over the summer (lrv in 2027-2028, run_first in 2026-2027)"
check sh -c 'grep "\"rule\":\"lrv\"" "$1" | grep "\"date\":\"2027-\(08\|09\|1\)" | grep -q "\"run_first\":\"2027-0[4-7]"' sh "$tmp/y2sig"
# By the ground truth: a quarter of the thuiszitters' runs span the summer
# by design (random placement alone gives about an eighth), and with one
# year those end on its last school day (random placement: hardly any).
"$bin" generate --config "$cfg" --seed 5 --pupils 10000 --years 2 --truth "$tmp/t2" >/dev/null 2>&1
"$bin" generate --config "$cfg" --seed 5 --pupils 10000 --truth "$tmp/t1" >/dev/null 2>&1
share() { # truth-file condition -> per cent of the thuiszitters' runs meeting it
	grep '"profile":"thuiszitter"' "$1" | grep -v '"run_days":0' |
		awk -v c="$2" 'BEGIN { FS = "\"" }
		{ for (i = 1; i < NF; i++) { if ($i == "run_first") f = $(i + 2); if ($i == "run_last") l = $(i + 2) }
		  n++; if ((c == "across" && f <= "2027-07-09" && l >= "2027-08-23") || (c == "end" && l == "2027-07-09")) m++ }
		END { print n ? int(100 * m / n) : 0 }'
}
a=$(share "$tmp/t2" across)
desc="--years 2: $a % of the thuiszitters' runs span the summer (>= 25)"; check test "$a" -ge 25
e=$(share "$tmp/t1" end)
desc="one year: $e % of the thuiszitters' runs reach its last school day (>= 15)"; check test "$e" -ge 15
desc="--calibration v1 refuses --years 2"
check sh -c '! "$1" generate --config "$2" --calibration v1 --years 2 >/dev/null 2>&1' sh "$bin" "$cfg"
desc="--years 3 is refused"; check sh -c '! "$1" generate --config "$2" --years 3 >/dev/null 2>&1' sh "$bin" "$cfg"
"$bin" generate --config "$cfg" --seed 4 --pupils 900 --sector vo >"$tmp/vo" 2>/dev/null
desc="--sector vo puts every pupil in vo"
check sh -c 'grep -q "\"sector\":\"vo\"" "$1" && ! grep -q "\"sector\":\"\(po\|mbo\)\"" "$1"' sh "$tmp/vo"

# The region calibration, on 4,000 VO pupils (bench/generator_calibration.sh
# measures 14,000): each figure within a band around its target.
if command -v python3 >/dev/null 2>&1; then
	"$bin" generate --config "$cfg" --seed 1 --pupils 4000 --sector vo >"$tmp/r" 2>/dev/null
	"$bin" replay --ids-secret "$tmp/ids.secret" --config "$cfg" "$tmp/r" >"$tmp/rsig" 2>/dev/null
	python3 "$src/bench/generator_figures.py" "$tmp/r" "$tmp/rsig" 360 vo >"$tmp/fig"
	band() { # figure lo hi
		v=$(awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$tmp/fig")
		desc="calibration: $1 = $v in [$2, $3]"
		check awk -v v="$v" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v >= lo && v <= hi) }'
	}
	band pupils_with_16h_report 12 30
	band lrv_runs_4w 1.5 5
	band absolute 0 1.5
	band long_sick_4w_at_census 1 5
	band authorised_64h_pct 26 38
	band authorised_100h_pct 11 20
fi
echo "$passed passed, $fail failed"
[ "$fail" -eq 0 ]
