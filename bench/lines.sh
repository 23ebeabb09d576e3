#!/bin/sh
# Lines per file and per function of the C sources (rules, connectors, store,
# daemon, cli): the largest of each, and how many exceed 500 lines (files)
# and 80 lines (functions). A function is counted from a line at column 0
# that opens it ("{" alone, after its signature) to the "}" at column 0.
#   sh bench/lines.sh [SRC]
set -eu
cd "${1:-$(dirname "$0")/..}"
files=$(ls rules/*.[ch] connectors/*.[ch] store/*.[ch] daemon/*.[ch] cli/*.[ch] 2>/dev/null || true)
# shellcheck disable=SC2086
wc -l $files | grep -v ' total$' | sort -rn >/tmp/vs-lines.$$
trap 'rm -f /tmp/vs-lines.$$ /tmp/vs-funcs.$$' EXIT
echo "files: $(wc -l </tmp/vs-lines.$$), lines: $(awk '{s += $1} END {print s}' /tmp/vs-lines.$$), over 500 lines: $(awk '$1 > 500' /tmp/vs-lines.$$ | wc -l)"
echo "largest files:"
head -8 /tmp/vs-lines.$$ | awk '{printf "  %5d %s\n", $1, $2}'
for f in $files; do
	case $f in *.c) ;; *) continue ;; esac
	awk -v f="$f" '
		/^[A-Za-z_].*\(/ && !/;[ \t]*$/ { sig = $0; next }
		/^\{/ && sig != "" { start = NR; name = sig; sig = ""; next }
		/^\}/ && start { n = NR - start - 1; sub(/\(.*/, "", name); sub(/.*[ *]/, "", name); print n, f ":" name; start = 0; next }
		/^[^ \t{}]/ { sig = "" }' "$f"
done | sort -rn >/tmp/vs-funcs.$$
echo "functions: $(wc -l </tmp/vs-funcs.$$), over 80 lines: $(awk '$1 > 80' /tmp/vs-funcs.$$ | wc -l), mean $(awk '{s += $1} END {printf "%.1f", s / NR}' /tmp/vs-funcs.$$) lines"
echo "largest functions:"
head -8 /tmp/vs-funcs.$$ | awk '{printf "  %5d %s\n", $1, $2}'
