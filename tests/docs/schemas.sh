#!/bin/sh
# docs/openapi.yaml is a valid OpenAPI 3.0 document (swagger-parser, from
# npm: installed here with npm ci into the build directory from
# tests/docs/package-lock.json) and docs/schemas/payload.json and the
# OpenAPI component schemas are valid Draft 2020-12 schemas (Debian's
# python3-jsonschema, hence /usr/bin/python3). Each check is shown to fail on a broken copy.
# Usage: schemas.sh SRC BUILD
SRC=$1 BUILD=$2
set -eu
failed=0 passed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
NPMDIR=$BUILD/docs-npm
mkdir -p "$NPMDIR"
cp "$SRC/tests/docs/package.json" "$SRC/tests/docs/package-lock.json" "$NPMDIR/"
if ! (cd "$NPMDIR" && npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1); then
	cat "$NPMDIR/npm.log"
	echo "FAIL npm ci (tests/docs/package-lock.json)"
	exit 1
fi
validate() { NODE_PATH=$NPMDIR/node_modules node "$SRC/tests/docs/openapi_check.js" "$1"; }
if validate "$SRC/docs/openapi.yaml"; then ok "docs/openapi.yaml is valid OpenAPI"; else fail "docs/openapi.yaml is valid OpenAPI"; fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vs-schemas.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# broken copies: a response without its description, a reference to nothing
sed '0,/description: The partner.s tasks/s//summary: no description/' "$SRC/docs/openapi.yaml" >"$TMP/a.yaml"
sed 's|#/components/schemas/TaskList|#/components/schemas/TaskLis|' "$SRC/docs/openapi.yaml" >"$TMP/b.yaml"
for f in a b; do
	if cmp -s "$TMP/$f.yaml" "$SRC/docs/openapi.yaml"; then fail "broken copy $f differs"; continue; fi
	if validate "$TMP/$f.yaml" >"$TMP/$f.out" 2>&1; then
		fail "a broken copy ($f) is refused"
	else
		ok "a broken copy ($f) is refused: $(head -c 120 "$TMP/$f.out")"
	fi
done
if /usr/bin/python3 "$SRC/tests/docs/validate.py" check "$SRC"; then ok "the schemas are valid Draft 2020-12"; else fail "the schemas are valid Draft 2020-12"; fi
mkdir -p "$TMP/root/docs/schemas"
cp "$SRC/docs/openapi.yaml" "$TMP/root/docs/"
sed 's/"type": "object",/"type": "objekt",/' "$SRC/docs/schemas/payload.json" >"$TMP/root/docs/schemas/payload.json"
if /usr/bin/python3 "$SRC/tests/docs/validate.py" check "$TMP/root" 2>/dev/null; then
	fail "a schema with an unknown type is refused"
else
	ok "a schema with an unknown type is refused"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
