#!/bin/sh
# One clock (RULES.md, "When rules are evaluated"): for input in recording
# order, what a pupil gets depends only on that pupil's own registrations.
# Replay of a generated region must equal the union of the replays of its
# pupils split into groups (each run sweeping through the same --until).
set -eu
bin=$1
src=$2
cfg=$src/config/vroegsignaal.json
tmp=$(mktemp -d)
# ids are keyed: the fixed test secret gives stable ids (mode 0600, as required)
(umask 077 && cat "$src/tests/fixtures/ids.secret" >"$tmp/ids.secret")
trap 'rm -rf "$tmp"' EXIT
"$bin" generate --config "$cfg" --seed 11 --pupils 600 >"$tmp/all" 2>/dev/null
until=2027-07-09
"$bin" replay --ids-secret "$tmp/ids.secret" --config "$cfg" --until $until "$tmp/all" 2>/dev/null | sort >"$tmp/whole"
# three groups by the student key's last character, input order kept
for g in 0 1 2; do
	awk -v g=$g '{ match($0, /"student":"[^"]*"/); s = substr($0, RSTART, RLENGTH);
		c = substr(s, length(s) - 1, 1); if (index("0123456789abcdefghijklmnopqrstuvwxyz", c) % 3 == g) print }' \
		"$tmp/all" >"$tmp/group$g"
	"$bin" replay --ids-secret "$tmp/ids.secret" --config "$cfg" --until $until "$tmp/group$g" 2>/dev/null
done | sort >"$tmp/parts"
lines=$(cat "$tmp/group0" "$tmp/group1" "$tmp/group2" | wc -l)
if [ "$lines" -ne "$(wc -l <"$tmp/all")" ] || [ ! -s "$tmp/group0" ] || [ ! -s "$tmp/group2" ]; then
	echo "FAIL the groups do not partition the input"
	exit 1
fi
if cmp -s "$tmp/whole" "$tmp/parts"; then
	echo "ok   replay of the region equals the union of its groups ($(wc -l <"$tmp/whole") signals)"
else
	echo "FAIL replay of the region differs from the union of its groups:" \
		"$(comm -23 "$tmp/whole" "$tmp/parts" | wc -l) only in the whole," \
		"$(comm -13 "$tmp/whole" "$tmp/parts" | wc -l) only in the groups"
	exit 1
fi
