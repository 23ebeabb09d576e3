#!/bin/sh
# Runs `vroegsignaal census --replay` over tests/fixtures/census/two_years.jsonl
# (the hand-worked fixture: tests/fixtures/census/README.md) with each
# NAME.args and compares stdout with NAME.expected.
set -u
bin=$1
src=$2
dir=$src/tests/fixtures/census
fail=0
count=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for a in "$dir"/*.args; do
	name=$(basename "$a" .args)
	count=$((count + 1))
	# shellcheck disable=SC2046
	if ! "$bin" census --config "$dir/config.json" --replay "$dir/two_years.jsonl" $(cat "$a") \
		>"$tmp/out" 2>"$tmp/err"; then
		echo "FAIL $name: exit code $?"; cat "$tmp/err"; fail=$((fail + 1)); continue
	fi
	if ! diff -u "$dir/$name.expected" "$tmp/out"; then
		echo "FAIL $name: the census differs"; fail=$((fail + 1)); continue
	fi
	echo "ok   $name"
done
echo "$((count - fail)) passed, $fail failed"
[ "$count" -gt 0 ] && [ "$fail" -eq 0 ]
