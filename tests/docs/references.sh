#!/bin/sh
# The README and docs/ stand on their own: they point to nothing outside the
# repository (no ../ paths, no planning notes of the project), every
# repository path they name in backticks exists, and every page of docs/ is
# linked from the README; and no merge conflict markers are left anywhere.
SRC=$1
set -eu
cd "$SRC"
failed=0
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
files="README.md $(ls docs/*.md)"
# shellcheck disable=SC2086
out=$(grep -nE '\.\./|/work/|(RULES|DESIGN|STYLE)\.md' $files || true)
[ -z "$out" ] || fail "pointers outside the repository:
$out"
# repository paths in backticks: a top-level directory of the tree, then a path
dirs=$(for d in */; do [ -d "$d" ] && printf '%s|' "${d%/}"; done | sed 's/|$//')
# shellcheck disable=SC2086
grep -oE "\`($dirs)/[A-Za-z0-9_./-]*\`" $files | sort -u >"${TMPDIR:-/tmp}/vs-docrefs.$$" || true
while IFS=: read -r file ref; do
	path=$(printf %s "$ref" | tr -d '`')
	[ -e "$path" ] || fail "$file names $path, which is not in the repository"
done <"${TMPDIR:-/tmp}/vs-docrefs.$$"
n=$(wc -l <"${TMPDIR:-/tmp}/vs-docrefs.$$")
rm -f "${TMPDIR:-/tmp}/vs-docrefs.$$"
# no merge left its conflict markers in the tree (a doc is not compiled, so
# nothing else would notice)
markers=$(grep -rnE '^(<<<<<<< |>>>>>>> |=======$)' --include='*.md' --include='*.c' \
	--include='*.h' --include='*.lua' --include='*.sh' --include='*.txt' --include='*.json' \
	--include='*.yml' --include='*.yaml' --include='*.py' --exclude-dir=build --exclude-dir='build-*' \
	--exclude-dir=node_modules --exclude-dir=.git . || true)
[ -z "$markers" ] || fail "merge conflict markers:
$markers"
for page in docs/*.md; do
	grep -qF "\`$page\`" README.md || fail "README.md does not link $page"
done
[ "$failed" -eq 0 ] && echo "ok   $n repository paths named in README.md and docs/ exist; every page is linked"
[ "$failed" -eq 0 ]
