#!/bin/sh
# Retention and corrections an operator needs: closure add refuses an
# unknown school and a weekend day (exit 2) and closure remove takes a
# closure back; dead discard drops dead letters by reason, by id or all.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
start_redis
config r ', "partitions": 1'
config_extend r <<JSON
, "schools": {"01AB": {"pupils": 80}, "02AC": {"pupils": 40}}
}
JSON
C="--config $WORK/r.json"
code() { if "$@" >/dev/null 2>"$WORK/err"; then echo 0; else echo $?; fi; }
check "closure add refuses an unknown school with exit 2" test "$(code "$VS" closure $C add 99ZZ 2027-03-03)" -eq 2
check "... and says so" grep -q "'99ZZ' is not a school" "$WORK/err"
check "closure add refuses a Saturday with exit 2" test "$(code "$VS" closure $C add 01AB 2027-03-06)" -eq 2
check "... and says so" grep -q "Saturday or Sunday" "$WORK/err"
check "closure add refuses a Sunday with exit 2" test "$(code "$VS" closure $C add 01AB 2027-03-07)" -eq 2
check "nothing was stored" test "$(rcli HLEN vs:closures)" -eq 0
check "closure add accepts a known school on a weekday" test "$(code "$VS" closure $C add 01AB 2027-03-03)" -eq 0
"$VS" closure $C add 02AC 2027-03-03 >/dev/null
check "closure remove takes it back" test "$(code "$VS" closure $C remove 01AB 2027-03-03)" -eq 0
check "... only that one" test "$(rcli --raw HKEYS vs:closures)" = "02AC|2027-03-03"
check "closure remove of an undeclared closure fails (1)" test "$(code "$VS" closure $C remove 01AB 2027-03-03)" -eq 1
check "closure remove with a bad date is exit 2" test "$(code "$VS" closure $C remove 01AB 2027-02-30)" -eq 2

# dead letters
for i in 1 2 3; do rcli XADD 'vs:{0}:dead' '*' reason bad_date message m stream_id "1-$i" field.student "s$i" >/dev/null; done
ID=$(rcli XADD 'vs:{0}:dead' '*' reason not_school_day message m stream_id 1-4 field.student s4)
rcli XADD 'vs:{0}:dead' '*' reason not_school_day message m stream_id 1-5 field.student s5 >/dev/null
check "dead discard without a filter is exit 2" test "$(code "$VS" dead $C discard)" -eq 2
check "dead discard --reason drops that reason's" test "$(code "$VS" dead $C discard --reason bad_date)" -eq 0
check "... three of them" grep -q "3 dead letter(s) discarded" "$WORK/err"
check "... and leaves the others" test "$(rcli XLEN 'vs:{0}:dead')" -eq 2
"$VS" dead $C discard --id "$ID" 2>/dev/null
check "dead discard --id drops that one" sh -c "test \"\$(redis-cli -s '$SOCK' XLEN 'vs:{0}:dead')\" -eq 1 && ! redis-cli -s '$SOCK' --raw XRANGE 'vs:{0}:dead' - + | grep -qx '$ID'"
"$VS" dead $C discard --all 2>/dev/null
check "dead discard --all drops the rest" test "$(rcli XLEN 'vs:{0}:dead')" -eq 0

# Trimming by the daemon: 250 audit entries and 60 dead letters spread over
# the three days around their limits (1 day each); every one older than its
# limit goes, every newer one stays. XTRIM MINID ~ left whole radix nodes.
NOW=$($PY -c 'import time; print(int(time.time() * 1000))')
DAY=86400000
for i in $(seq 0 249); do echo "XADD vs:{0}:audit $((NOW - 3 * DAY + i * 3 * DAY / 250))-0 event assigned task vs00 at 0"; done | rcli >/dev/null
rcli DEL "vs:{0}:dead" >/dev/null # its last id is now: older ids need a new stream
for i in $(seq 0 59); do echo "XADD vs:{0}:dead $((NOW - 3 * DAY + i * 3 * DAY / 60))-0 reason bad_date message m"; done | rcli >/dev/null
older() { rcli XRANGE "$1" - "$((NOW - DAY - 60000))" | grep -c -- '-0$' || true; }
newer() { rcli XRANGE "$1" "$((NOW - DAY + 60000))" + | grep -c -- '-0$' || true; }
A_NEW=$(newer 'vs:{0}:audit') D_NEW=$(newer 'vs:{0}:dead')
echo "before: audit $(older 'vs:{0}:audit') older, $A_NEW newer; dead $(older 'vs:{0}:dead') older, $D_NEW newer"
config t ', "partitions": 1, "dead_retention_days": 1'
config_extend t <<JSON
, "dispatch": {"poll_ms": 50, "audit_retention_days": 1},
  "partners": [{"id": "school", "role": "school", "schools": ["*"],
     "connector": {"type": "redis", "stream": "t:queue"}, "legal_basis": "Leerplichtwet 1969"}]
}
JSON
# The cases index: fields of a gone and a closed case go, the open case is
# filed under its task's due time in caseopen: (no per-state set yet). TRIM
# names the case keys, then the open case's task key, before it writes
# (docs/redis-keys.md): three calls, every key declared.
rcli HSET 'vs:{0}:cases:school' 's1|unauthorised' vsgone 's2|unauthorised' vsclosed \
	's3|unauthorised' vsopen >/dev/null
rcli HSET 'vs:{0}:case:vsclosed' state closed partner school >/dev/null
rcli HSET 'vs:{0}:case:vsopen' state open task tk1 partner school >/dev/null
rcli HSET 'vs:{0}:task:tk1' school.due "$NOW" >/dev/null
keys_watch
start_daemon t
D=$LAST_PID
check "the daemon trims the cases index (the gone and the closed case's fields)" wait_for 20 sh -c \
	"test \"\$(redis-cli -s '$SOCK' --raw HKEYS 'vs:{0}:cases:school')\" = 's3|unauthorised'"
check "... and notes that the per-state sets are built (a key of its own)" wait_for 5 sh -c \
	"test \"\$(redis-cli -s '$SOCK' --raw GET 'vs:{0}:casesbuilt:school')\" = 1"
check "... and files the open case under its due time" wait_for 5 sh -c \
	"test \"\$(redis-cli -s '$SOCK' ZSCORE 'vs:{0}:caseopen:school' vsopen)\" = $NOW"
check "the daemon trims the audit stream exactly" wait_for 20 sh -c "test \$(redis-cli -s '$SOCK' XRANGE 'vs:{0}:audit' - $((NOW - DAY - 60000)) | grep -c -- '-0\$') -eq 0"
check "... and keeps every newer audit entry ($(newer 'vs:{0}:audit') of $A_NEW)" test "$(newer 'vs:{0}:audit')" -eq "$A_NEW"
check "the daemon drops dead letters after dead_retention_days ($(older 'vs:{0}:dead') older left)" wait_for 20 sh -c "test \$(redis-cli -s '$SOCK' XRANGE 'vs:{0}:dead' - $((NOW - DAY - 60000)) | grep -c -- '-0\$') -eq 0"
check "... and keeps the newer ones ($(newer 'vs:{0}:dead') of $D_NEW)" test "$(newer 'vs:{0}:dead')" -eq "$D_NEW"
kill -TERM "$D"
wait "$D" || true
keys_check "retention"

# audit --student as a readable report for an access request
rcli XADD 'vs:{0}:audit' '*' event assigned task vs0123 partner lp role leerplicht student s-inzage \
	fields 'student,school' legal_basis 'Leerplichtwet 1969, art. 16' at "$NOW" >/dev/null
rcli XADD 'vs:{0}:audit' '*' event acknowledged task vs0123 partner lp student s-inzage outcome in_behandeling \
	detail 'gebeld | "ouders"' at "$NOW" >/dev/null
"$VS" audit $C --student s-inzage --format csv >"$WORK/report.csv" 2>/dev/null
check "audit --format csv has a header and one row per event" test "$(wc -l <"$WORK/report.csv")" -eq 3
check "... quoting values with commas and quotes" sh -c "grep -q '^at,event,partner' '$WORK/report.csv' &&
	grep -q ',assigned,lp,leerplicht,vs0123,\"student,school\",\"Leerplichtwet 1969, art. 16\",,$' '$WORK/report.csv' &&
	grep -q ',\"gebeld | \"\"ouders\"\"\"$' '$WORK/report.csv'"
check "... readable by a CSV reader" $PY -c "
import csv, sys
rows = list(csv.DictReader(open('$WORK/report.csv')))
sys.exit(0 if len(rows) == 2 and rows[0]['legal_basis'] == 'Leerplichtwet 1969, art. 16' and rows[1]['detail'] == 'gebeld | \"ouders\"' else 1)"
"$VS" audit $C --student s-inzage --format markdown >"$WORK/report.md" 2>/dev/null
check "audit --format markdown is a table, '|' escaped" sh -c "grep -q '^| at | event |' '$WORK/report.md' &&
	grep -q '^|---|' '$WORK/report.md' && grep -q 'gebeld \\\\| \"ouders\" |$' '$WORK/report.md'"
check "audit --format bogus is exit 2" test "$(code "$VS" audit $C --student s-inzage --format bogus)" -eq 2

# erase refuses before writing anything when a key has the wrong type
rcli HSET 'vs:{0}:state' s-keep record >/dev/null
rcli SET 'vs:{0}:lease' 'other/token' >/dev/null
rcli DEL 'vs:{0}:due' >/dev/null
rcli SET 'vs:{0}:due' 'not a sorted set' >/dev/null
check "erase refuses a key of the wrong type (exit 1)" test "$(code "$VS" erase $C --student s-keep)" -eq 1
check "... naming it" grep -q "WRONGTYPE vs:{0}:due holds a string" "$WORK/err"
check "... having written nothing" sh -c "test \"\$(redis-cli -s '$SOCK' --raw HGET 'vs:{0}:state' s-keep)\" = record &&
	test \"\$(redis-cli -s '$SOCK' --raw GET 'vs:{0}:lease')\" = other/token"
finish
