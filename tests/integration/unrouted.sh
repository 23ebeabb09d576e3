#!/bin/sh
# Tasks that reach nobody are counted, logged once per route and school,
# audited and shown on the status page:
#   - with no partners at all (the dispatcher runs anyway): every task
#     reaches nobody, vs_tasks_unrouted_total equals the tasks stream
#   - with only a school partner: vs_tasks_unrouted_total equals the task
#     records that name no partner (and is neither 0 nor all of them)
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
command -v curl >/dev/null || { echo "FAIL curl is not installed (scripts/setup.sh installs it)"; exit 1; }
start_redis
"$VS" generate --config "$SRC/config/vroegsignaal.json" --seed 11 --pupils 40 >"$WORK/ev.jsonl" 2>/dev/null

port_of() { sed -n 's/.*http: listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$WORK/$1.log"; }
metric() { curl -s "http://127.0.0.1:$1/metrics" | sed -n "s/^$2 //p"; }

# one run: NAME, partners JSON
run() {
	config "$1" ', "partitions": 1'
	config_extend "$1" <<JSON
, "http": {"listen": "127.0.0.1:0"},
  "dispatch": {"poll_ms": 50},
  "partners": [$2]
}
JSON
	start_daemon "$1"
	PID=$LAST_PID
	"$VS" send --config "$WORK/$1.json" "$WORK/ev.jsonl" >/dev/null 2>&1
	check "$1: the daemon catches up" wait_caught_up 60
	wait_for 10 sh -c "grep -q 'http: listening' '$WORK/$1.log'" || true
	PORT=$(port_of "$1")
	TASKS=$(rcli XLEN 'vs:{0}:tasks')
	# every task entry accepted by the dispatcher (nothing pending in its group)
	wait_for 30 sh -c "[ \"\$(redis-cli -s '$SOCK' XINFO GROUPS 'vs:{0}:tasks' |
		awk 'p { print; exit } \$0 == \"lag\" { p = 1 }')\" = 0 ] &&
		[ \"\$(redis-cli -s '$SOCK' XPENDING 'vs:{0}:tasks' dispatch | head -1)\" = 0 ]" || true
	EMPTY=0
	for k in $(rcli --scan --pattern 'vs:{0}:task:*'); do
		if [ -z "$(rcli HGET "$k" partners)" ]; then EMPTY=$((EMPTY + 1)); fi
	done
	UNROUTED=$(metric "$PORT" vs_tasks_unrouted_total)
	ROLES=$(metric "$PORT" vs_task_roles_unrouted_total)
	UNROUTED=${UNROUTED:-0} ROLES=${ROLES:-0}
	AUDIT=$(rcli --raw XRANGE 'vs:{0}:audit' - + | grep -cx unrouted || true)
	WARN=$(grep -c 'logged once' "$WORK/$1.log" || true)
	DISTINCT=$( (grep 'logged once' "$WORK/$1.log" || true) |
		sed 's/.*partition 0: \(.*\) (logged once.*/\1/' | sort -u | wc -l)
	curl -s "http://127.0.0.1:$PORT/" >"$WORK/$1.status"
	kill "$PID"
	wait "$PID" 2>/dev/null || true
}

run none ""
check "none: there are tasks ($TASKS)" test "$TASKS" -gt 0
check "none: vs_tasks_unrouted_total $UNROUTED equals the tasks ($TASKS)" test "$UNROUTED" = "$TASKS"
check "none: every task record names no partner ($EMPTY of $TASKS)" test "$EMPTY" = "$TASKS"
check "none: one unrouted audit event per role ($AUDIT, roles $ROLES)" \
	test "$AUDIT" -gt 0 -a "$AUDIT" = "$ROLES"
check "none: each warning is logged once ($WARN lines, $DISTINCT distinct)" \
	test "$WARN" -gt 0 -a "$WARN" = "$DISTINCT"
check "none: fewer warnings than unrouted roles ($WARN < $ROLES)" test "$WARN" -lt "$ROLES"
check "none: the status page shows the unrouted tasks" \
	grep -q "id=\"unrouted\">$UNROUTED task(s) reached no partner" "$WORK/none.status"

rcli FLUSHALL >/dev/null
run school '{"id": "school", "role": "school", "schools": ["*"],
     "connector": {"type": "file", "path": "'"$WORK"'/school.jsonl"}, "legal_basis": "Leerplichtwet 1969"}'
check "school: some tasks reach nobody, not all ($UNROUTED of $TASKS)" \
	test "$UNROUTED" -gt 0 -a "$UNROUTED" -lt "$TASKS"
check "school: vs_tasks_unrouted_total equals the records without a partner ($EMPTY)" \
	test "$UNROUTED" = "$EMPTY"
check "school: each warning is logged once ($WARN lines, $DISTINCT distinct)" \
	test "$WARN" -gt 0 -a "$WARN" = "$DISTINCT"
finish
