#!/bin/sh
# Include dependencies between the source folders, and whether they form a
# cycle: prints each edge "from -> to (files)" and fails when the folders
# include each other round in a loop (tsort finds it). The folders, lowest
# first: rules, connectors, store, daemon, cli.
#   layers.sh [SRC]
set -eu
cd "${1:-$(dirname "$0")/..}"
folders="rules connectors store daemon cli"
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
for from in $folders; do
	for f in "$from"/*.c "$from"/*.h; do
		[ -e "$f" ] || continue
		sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | while read -r h; do
			for to in $folders; do
				if [ "$to" != "$from" ] && [ -e "$to/$h" ]; then echo "$from $to $f"; fi
			done
		done
	done
done | sort >"$edges"
awk '{k = $1 " -> " $2; n[k]++; if (n[k] <= 3) f[k] = f[k] " " $3}
     END {for (k in n) {more = n[k] > 3 ? " ..." : ""; printf "%s (%d includes:%s%s)\n", k, n[k], f[k], more}}' "$edges" | sort
if awk '{print $1, $2}' "$edges" | sort -u | tsort >/dev/null 2>&1; then
	echo "no include cycle between folders"
else
	echo "include cycle between folders:" >&2
	awk '{print $1, $2}' "$edges" | sort -u | tsort 2>&1 >/dev/null | sed 's/^/  /' >&2
	exit 1
fi
