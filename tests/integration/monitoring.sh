#!/bin/sh
# The shipped dashboard and alerting rules (monitoring/) name only metrics a
# running daemon exports: every vs_* name in the dashboard's queries and the
# rules' expressions must be a metric family in a live /metrics (a histogram's
# _bucket, _sum and _count count as its family).
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
command -v curl >/dev/null || { echo "FAIL curl is not installed (scripts/setup.sh installs it)"; exit 1; }
RULES="$SRC/monitoring/vroegsignaal.rules.yml"
DASH="$SRC/monitoring/vroegsignaal.dashboard.json"
start_redis
config m ', "partitions": 2'
config_extend m <<JSON
, "http": {"listen": "127.0.0.1:0"},
  "dispatch": {"poll_ms": 50},
  "partners": [
    {"id": "school", "role": "school", "schools": ["*"],
     "connector": {"type": "file", "path": "$WORK/school.jsonl"}, "legal_basis": "Leerplichtwet 1969"}
  ]
}
JSON
start_daemon m
M=$LAST_PID
wait_for 10 grep -q "http: listening" "$WORK/m.log" || true
PORT=$(sed -n 's/.*http: listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$WORK/m.log")
check "the daemon logs its http port ($PORT)" test -n "$PORT"
"$VS" send --config "$WORK/m.json" "$SRC/config/sample/events.jsonl" >/dev/null 2>&1 || true
check "the daemon catches up" "$VS" status --config "$WORK/m.json" --wait 120 --quiet
sleep 6 # the operations poll (open tasks, dead letters, ...) runs every 5 s
curl -s -o "$WORK/metrics" "http://127.0.0.1:$PORT/metrics"
# exported families: NAME TYPE, one a line
sed -n 's/^# TYPE \([a-zA-Z_:][a-zA-Z0-9_:]*\) \([a-z]*\)$/\1 \2/p' "$WORK/metrics" >"$WORK/families"
check "the scrape declares metric families ($(wc -l <"$WORK/families"))" test -s "$WORK/families"

# exported NAME: a family, or a histogram family's series
exported() {
	grep -q "^$1 " "$WORK/families" && return 0
	base=$(printf %s "$1" | sed 's/_\(bucket\|sum\|count\)$//')
	[ "$base" != "$1" ] && grep -q "^$base histogram$" "$WORK/families"
}

# The dashboard's queries: every target's expr and the template variables' queries.
"$PY" - "$DASH" >"$WORK/dash_exprs" <<'PYEOF'
import json, sys
def walk(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("expr", "definition") and isinstance(v, str):
                print(v)
            elif k == "query" and isinstance(v, str) and node.get("type") != "datasource":
                print(v)
            elif k == "query" and isinstance(v, dict) and isinstance(v.get("query"), str):
                print(v["query"])
            else:
                walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)
walk(json.load(open(sys.argv[1])))
PYEOF
check "the dashboard has queries ($(wc -l <"$WORK/dash_exprs"))" test -s "$WORK/dash_exprs"
npanels=$("$PY" -c 'import json,sys; print(sum(1 for p in json.load(open(sys.argv[1]))["panels"] if p["type"] != "row" and not p.get("targets")))' "$DASH")
check "every dashboard panel has a query" test "$npanels" = 0
# The rules' expressions, one line each (a multi-line expr would escape this check).
grep -E '^[[:space:]]*expr:' "$RULES" | sed 's/^[[:space:]]*expr:[[:space:]]*//' >"$WORK/rule_exprs"
nalerts=$(grep -cE '^[[:space:]]*- alert:' "$RULES")
check "every alert has a one-line expression ($nalerts alerts)" \
	test "$(wc -l <"$WORK/rule_exprs")" = "$nalerts"
check "every alert has an expression naming a vs_ metric" \
	test "$(grep -c 'vs_[a-z0-9_]*' "$WORK/rule_exprs")" = "$nalerts"

for src in dash rule; do
	grep -o 'vs_[a-z0-9_]*' "$WORK/${src}_exprs" | sort -u >"$WORK/${src}_names"
	missing=""
	while read -r name; do
		exported "$name" || missing="$missing $name"
	done <"$WORK/${src}_names"
	check "every metric the $src expressions name is exported ($(wc -l <"$WORK/${src}_names") names)${missing:+; not exported:$missing}" \
		test -z "$missing"
done
# The test itself can tell: a name the daemon does not export is caught.
if exported vs_no_such_metric_total || exported vs_entries_total_bucket; then
	not_ok "the check refuses a name the daemon does not export"
else
	ok "the check refuses a name the daemon does not export"
fi
kill -TERM "$M"
wait "$M" || true
finish
