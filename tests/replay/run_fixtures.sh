#!/bin/sh
# Runs `vroegsignaal replay` over every tests/fixtures/replay/NAME.jsonl and
# compares stdout with NAME.expected (and, when present, stderr's invalid-line
# reports with NAME.stderr). Optional NAME.args holds extra arguments.
set -u
bin=$1
src=$2
dir=$src/tests/fixtures/replay
fail=0
count=0
tmp=$(mktemp -d)
# ids are keyed: the fixed test secret gives stable ids (mode 0600, as required)
(umask 077 && cat "$src/tests/fixtures/ids.secret" >"$tmp/ids.secret")
trap 'rm -rf "$tmp"' EXIT
for input in "$dir"/*.jsonl; do
	name=$(basename "$input" .jsonl)
	count=$((count + 1))
	args=""
	[ -f "$dir/$name.args" ] && args=$(cat "$dir/$name.args")
	config=$src/config/vroegsignaal.json
	[ -f "$dir/$name.config.json" ] && config=$dir/$name.config.json
	# shellcheck disable=SC2086
	"$bin" replay --ids-secret "$tmp/ids.secret" --config "$config" $args "$input" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	want_rc=0
	[ -f "$dir/$name.rc" ] && want_rc=$(cat "$dir/$name.rc")
	if [ "$rc" != "$want_rc" ]; then
		echo "FAIL $name: exit code $rc, expected $want_rc"; cat "$tmp/err"; fail=$((fail + 1)); continue
	fi
	if ! diff -u "$dir/$name.expected" "$tmp/out"; then
		echo "FAIL $name: signals differ"; fail=$((fail + 1)); continue
	fi
	if [ -f "$dir/$name.stderr" ]; then
		grep '^line ' "$tmp/err" >"$tmp/lines" || true
		if ! diff -u "$dir/$name.stderr" "$tmp/lines"; then
			echo "FAIL $name: invalid-line reports differ"; fail=$((fail + 1)); continue
		fi
	fi
	echo "ok   $name"
done
echo "$((count - fail)) passed, $fail failed"
[ "$count" -gt 0 ] && [ "$fail" -eq 0 ]
