#!/bin/sh
# The daemon against a real redis-server: registrations in, tasks out, exactly
# the signals replay finds; invalid entries dead-lettered with their reason;
# a file sent twice makes no task twice; SIGHUP with a broken configuration
# keeps the old one; SIGTERM exits 0 and releases the lease.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
start_redis
keys_watch
config d1
start_daemon d1
D1=$LAST_PID
SAMPLE="$SRC/config/sample/events.jsonl"

"$VS" send --config "$WORK/d1.json" --raw "$SAMPLE" >"$WORK/send.out" 2>"$WORK/send.err" || true
check "the daemon catches up with the sample" wait_caught_up 120
task_ids >"$WORK/tasks"
replay_ids "$SAMPLE" >"$WORK/replay"
check "tasks are exactly replay's signals, in the same number" \
	test "$(sort "$WORK/tasks" | tr '\n' ' ')" = "$(sort "$WORK/replay" | tr '\n' ' ')"
check "there are tasks at all ($(wc -l <"$WORK/tasks"))" test "$(wc -l <"$WORK/tasks")" -gt 500
check "no task id twice" test -z "$(sort "$WORK/tasks" | uniq -d)"

# task ids are kept per school year and expire after the year and its retention
ttl=$(rcli PTTL 'vs:{0}:taskids:2026-2027')
check "the year's task ids expire (PTTL $ttl ms)" test "$ttl" -gt 0

# one task in detail: a leerplicht_16u task goes to school and leerplicht
first16=$(rcli --raw XRANGE 'vs:{0}:tasks' - + | awk '/^leerplicht_16u$/ { print prev; exit } { prev = $0 }')
entry=$(rcli --raw XRANGE 'vs:{0}:tasks' - + | tr '\n' ' ')
case "$entry" in
*"rule leerplicht_16u student"*"roles school,leerplicht facts {\"start\":"*) ok "a leerplicht_16u task names school and leerplicht, with its span" ;;
*) not_ok "a leerplicht_16u task names school and leerplicht, with its span" ;;
esac
created=$(rcli --raw XRANGE 'vs:{0}:tasks' - + COUNT 1 | awk 'prev == "created_at" { print } { prev = $0 }')
due=$(rcli --raw XRANGE 'vs:{0}:tasks' - + COUNT 1 | awk 'prev == "due_at" { print } { prev = $0 }')
check "due_at is created_at + 48 h" test "$(date -d "$created" +%s)" -eq "$(($(date -d "$due" +%s) - 172800))"

# invalid entries: dead-lettered with their reason code, original fields kept
ndead=$(rcli XLEN 'vs:{0}:dead')
nbad=$(grep -c '^line ' "$WORK/send.err" || true)
check "every invalid line sent raw is a dead letter ($ndead)" test "$ndead" -gt 0
reasons=$(rcli --raw XRANGE 'vs:{0}:dead' - + | awk 'prev == "reason" { print } { prev = $0 }' | sort -u | tr '\n' ' ')
case "$reasons" in
*not_school_day*) ok "dead letters carry reason codes ($reasons)" ;;
*) not_ok "dead letters carry reason codes ($reasons)" ;;
esac
check "a dead letter keeps the original fields" sh -c "redis-cli -s '$SOCK' --raw XRANGE 'vs:{0}:dead' - + COUNT 1 | grep -q '^field.student$'"
[ "$nbad" -ge 0 ] # (send.err also lists bad JSON lines it could not send)

# The same file again: new stream entries. Each triggers an evaluation at its
# date with everything known now (RULES.md), which may raise what the first
# pass could not see yet (a run completed by a late registration), but never
# a task that exists.
before=$(rcli XLEN 'vs:{0}:tasks')
"$VS" send --config "$WORK/d1.json" "$SAMPLE" >/dev/null 2>&1 || true
check "the daemon catches up with the file sent again" wait_caught_up 120
task_ids >"$WORK/tasks2"
check "sending everything again writes no task id twice" test -z "$(sort "$WORK/tasks2" | uniq -d)"
check "... and keeps every task ($before -> $(wc -l <"$WORK/tasks2"))" \
	test "$(wc -l <"$WORK/tasks2")" -ge "$before"

# trimming: only processed entries are trimmed (retention 0 in this config)
sleep 2
check "processed entries are trimmed ($(rcli XLEN 'vs:{0}:events') left)" test "$(rcli XLEN 'vs:{0}:events')" -lt 1000

# CSV from a school's nightly export: quoted cells, an empty cell is an absent
# field, a row with the wrong number of cells is rejected with its line number.
before=$(rcli XLEN 'vs:{0}:tasks')
rc=0
"$VS" send --config "$WORK/d1.json" --format csv "$SRC/tests/fixtures/csv/registrations.csv" \
	>/dev/null 2>"$WORK/csv.err" || rc=$?
check "send --format csv reports the short row and exits 2" test "$rc" -eq 2
check "... naming its line" grep -q "^line 6: bad_encoding" "$WORK/csv.err"
check "... and the missing authorized of the last row" grep -q "^line 7: missing_authorized" "$WORK/csv.err"
check "the daemon catches up with the CSV rows" wait_caught_up 60
new=$(rcli --raw XRANGE 'vs:{0}:tasks' - + | awk 'prev == "rule" { r = $0 } prev == "student" && /^csv/ { print r } { prev = $0 }' | sort | tr '\n' ' ')
check "CSV rows raise mazl concern (csv1) and absolute (csv2 only) [$new]" test "$new" = "absolute mazl "

# A pupil whose stored record is unreadable: its registrations are
# dead-lettered as state_corrupt, the record is left as it was, others go on.
rcli HSET 'vs:{0}:state' broken1 'not a record' >/dev/null
printf '%s\n' \
	'{"v":1,"id":"b1","student":"broken1","school":"01AC","sector":"vo","kind":"sick","date":"2026-09-01","recorded_at":"2026-09-01T08:00:00Z"}' \
	'{"v":1,"id":"b2","student":"broken1","school":"01AC","sector":"vo","kind":"sick","date":"2026-09-02","recorded_at":"2026-09-02T08:00:00Z"}' \
	'{"v":1,"id":"b3","student":"fine1","school":"01AC","sector":"vo","kind":"concern","date":"2026-09-02","recorded_at":"2026-09-02T08:00:00Z"}' \
	>"$WORK/broken.jsonl"
"$VS" send --config "$WORK/d1.json" "$WORK/broken.jsonl" >/dev/null 2>&1
check "the daemon catches up past an unreadable record" wait_caught_up 60
n=$(rcli --raw XRANGE 'vs:{0}:dead' - + | grep -c '^state_corrupt$' || true)
check "both registrations of that pupil are dead letters (state_corrupt: $n)" test "$n" -eq 2
check "the unreadable record is left as it was" test "$(rcli --raw HGET 'vs:{0}:state' broken1)" = "not a record"
check "another pupil in the same batch is processed" sh -c "redis-cli -s '$SOCK' --raw XRANGE 'vs:{0}:tasks' - + | grep -q '^fine1$'"

# SIGHUP with a broken configuration: rejected, old one kept, still working
cp "$WORK/d1.json" "$WORK/d1.good"
echo '{"calendar": 5' >"$WORK/d1.json"
kill -HUP "$D1"
sleep 0.5
check "a broken configuration on SIGHUP is rejected" grep -q "reload rejected" "$WORK/d1.log"
check "the daemon is still running" kill -0 "$D1"
cp "$WORK/d1.good" "$WORK/d1.json"
kill -HUP "$D1"
sleep 0.3
check "a valid configuration on SIGHUP is taken" grep -q "configuration reloaded" "$WORK/d1.log"

# SIGTERM: exit 0, lease released
kill -TERM "$D1"
rc=0
wait "$D1" || rc=$?
check "SIGTERM: exit code 0" test "$rc" -eq 0
check "SIGTERM: the lease is released" test -z "$(rcli GET 'vs:{0}:lease')"
keys_check "end_to_end"
finish
