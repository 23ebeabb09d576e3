#!/bin/sh
# A second school year added by a reload (RULES.md "Calendar and school
# years"): with one calendar, a registration of the next year is a dead
# letter outside_school_year; after next year's calendar is named and SIGHUP
# sent, the requeued dead letter and new registrations are applied, and a
# sick episode from the last days of the old year continues after the
# summer (the 7th consecutive school day raises mazl duration) while
# first_month counts the new year afresh. Records of state formats 1 and 2 are read
# and continued.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
start_redis
config y
start_daemon y
Y=$LAST_PID

reg() { # student date [recorded_at]
	printf '{"v":1,"id":"%s-%s","student":"%s","school":"01AC","sector":"vo","kind":"sick","date":"%s","recorded_at":"%sT08:00:00Z"}\n' \
		"$1" "$2" "$1" "$2" "$2"
}
{
	for d in 2027-07-05 2027-07-06 2027-07-07 2027-07-08 2027-07-09; do reg jaar-a "$d"; done
	reg jaar-a 2027-08-23
} >"$WORK/old.jsonl"
"$VS" send --config "$WORK/y.json" --raw "$WORK/old.jsonl" >/dev/null 2>&1 || true
check "the daemon catches up with the old year" wait_caught_up 60
reasons=$(rcli --raw XRANGE 'vs:{0}:dead' - + | awk 'prev == "reason" { print } { prev = $0 }' | tr '\n' ' ')
check "with one calendar, 23 August 2027 is outside_school_year [$reasons]" \
	test "$reasons" = "outside_school_year "
check "... and no task yet" test "$(rcli XLEN 'vs:{0}:tasks')" -eq 0

# Name next year's calendar beside this one; reload.
sed -i "s|\"calendar\": \"\\([^\"]*\\)\",|\"calendars\": [\"\\1\", \"$SRC/config/calendars/noord-2027-2028.json\"],|" "$WORK/y.json"
check "the configuration names two calendars" grep -q '"calendars": \[' "$WORK/y.json"
kill -HUP "$Y"
check "the daemon reloads it" wait_for 15 grep -q 'configuration reloaded' "$WORK/y.log"
"$VS" dead --config "$WORK/y.json" requeue --reason outside_school_year >/dev/null 2>&1
check "the dead letter is requeued" test "$(rcli XLEN 'vs:{0}:dead')" -eq 0
{ reg jaar-a 2027-08-24; reg jaar-a 2027-08-25; } >"$WORK/new.jsonl"
"$VS" send --config "$WORK/y.json" "$WORK/new.jsonl" >"$WORK/send.out" 2>&1 || true
check "send accepts registrations of the new year" test ! -s "$WORK/send.out" -o -z "$(grep '^line' "$WORK/send.out")"
check "the daemon catches up with the new year" wait_caught_up 60
check "nothing is dead-lettered now" test "$(rcli XLEN 'vs:{0}:dead')" -eq 0
tasks=$(rcli --raw XRANGE 'vs:{0}:tasks' - + | awk 'prev == "rule" { r = $0 } prev == "trigger" || prev == "level" { t = $0 } prev == "date" { d = $0 } prev == "period_key" { print r, t, d, $0 } { prev = $0 }' | tr '\n' ';')
check "first_month of the new year, and mazl duration: 7 school days 5 Jul .. 24 Aug, keyed by 5 Jul [$tasks]" \
	test "$tasks" = "first_month elevated 2027-08-24 2027-08-23;mazl duration 2027-08-24 2027-07-05;"
# The same signal as replay finds over the same registrations.
cat "$WORK/old.jsonl" "$WORK/new.jsonl" >"$WORK/all.jsonl"
check "the tasks are the signals replay finds" test "$(task_ids)" = "$(replay_ids "$WORK/all.jsonl")"

# Pupil states stored by previous versions (state format 1, one school year
# per record, and format 2, the same with kept_from): sick 5..9 July 2027.
# Each is read, its run goes on after the summer, and it is written back in
# format 3.
"$PY" - "$WORK/v1.bin" "$WORK/v2.bin" <<'PY'
import struct, sys, zlib, datetime
day = lambda s: (datetime.date.fromisoformat(s) - datetime.date(1970, 1, 1)).days
base = day("2026-08-17")
for version, path in ((1, sys.argv[1]), (2, sys.argv[2])):
    b = b"VS" + bytes([version, 0]) + struct.pack("<i", base)
    if version == 2:
        b += struct.pack("<i", -2**31)  # kept_from: nothing purged
    b += struct.pack("<ii", -2**31, -2**31)
    b += struct.pack("<q", 1783238400000) + bytes([2, 4]) + b"01AC" + bytes([5])
    for d in ["2027-07-05", "2027-07-06", "2027-07-07", "2027-07-08", "2027-07-09"]:
        b += struct.pack("<HBBHq", day(d) - base, 0, 2, 0xFFFF, (day(d) * 86400 + 28800) * 1000)
    b += bytes([0])
    b += struct.pack("<I", zlib.crc32(b) & 0xFFFFFFFF)
    open(path, "wb").write(b)
PY
rcli -x HSET 'vs:{0}:state' jaar-v1 <"$WORK/v1.bin" >/dev/null
rcli -x HSET 'vs:{0}:state' jaar-v2 <"$WORK/v2.bin" >/dev/null
{ reg jaar-v1 2027-08-23; reg jaar-v1 2027-08-24; reg jaar-v2 2027-08-23; reg jaar-v2 2027-08-24; } >"$WORK/v1.jsonl"
"$VS" send --config "$WORK/y.json" "$WORK/v1.jsonl" >/dev/null 2>&1 || true
check "the daemon catches up with the format 1 and 2 pupils" wait_caught_up 60
check "... no dead letter (the records are readable)" test "$(rcli XLEN 'vs:{0}:dead')" -eq 0
for v in 1 2; do
	vtasks=$(rcli --raw XRANGE 'vs:{0}:tasks' - + | awk -v who="jaar-v$v" 'prev == "rule" { r = $0 } prev == "trigger" { t = $0 } prev == "student" { s = $0 } prev == "period_key" && s == who && r == "mazl" { print r, t, $0 } { prev = $0 }')
	check "format $v: its July episode continues: mazl duration keyed by 5 July [$vtasks]" \
		test "$vtasks" = "mazl duration 2027-07-05"
	version=$(rcli --raw HGET 'vs:{0}:state' "jaar-v$v" | head -c 3 | tail -c 1 | od -An -tu1 | tr -d ' ')
	check "format $v: the record is written back in format 3 (version byte $version)" test "$version" = 3
done

kill -TERM "$Y"
wait "$Y" 2>/dev/null || true
finish
