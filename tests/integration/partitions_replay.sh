#!/bin/sh
# One clock for replay and the daemon: for a generated region in recording
# order, the daemon with P = 4 partitions (one instance, events clock) raises
# exactly replay's signals, announced registrations included. Partitions
# whose registrations stop earlier catch up on the sweeps due at the
# instance's clock once they find no new entries.
#   partitions_replay.sh BIN SRC [PUPILS] [SEED]
BIN=$1 SRC=$2
PUPILS=${3:-1000}
SEED=${4:-33}
. "$SRC/tests/integration/lib.sh"
"$VS" generate --config "$SRC/config/vroegsignaal.json" --seed "$SEED" --pupils "$PUPILS" \
	>"$WORK/events.jsonl" 2>/dev/null
echo "seed $SEED, $PUPILS pupils, $(wc -l <"$WORK/events.jsonl") registrations"
start_redis
config p4 ', "partitions": 4, "batch_size": 200'
all_tasks() {
	for p in 0 1 2 3; do
		rcli --raw XRANGE "vs:{$p}:tasks" - + | awk 'prev == "id" { print } { prev = $0 }'
	done | sort
}
replay_ids "$WORK/events.jsonl" | sort >"$WORK/replay"
start_daemon p4
"$VS" send --config "$WORK/p4.json" "$WORK/events.jsonl" >/dev/null 2>&1
check "everything is consumed" "$VS" status --redis "$SOCK" --partitions 4 --wait 300 --quiet
same() { all_tasks >"$WORK/tasks"; cmp -s "$WORK/tasks" "$WORK/replay"; }
wait_for 30 same || true
check "P = 4 gives exactly replay's signals ($(wc -l <"$WORK/replay"))" same
if ! same; then
	echo "only in the daemon: $(comm -23 "$WORK/tasks" "$WORK/replay" | wc -l)," \
		"only in replay: $(comm -13 "$WORK/tasks" "$WORK/replay" | wc -l)"
fi
# The swept markers may differ by days without school (a partition whose
# clock reached Sunday evening moves its marker there, one that stopped at
# Friday's sweep has nothing to sweep until Monday), never by a school day of
# the calendar the daemon runs with.
swept() { for p in 0 1 2 3; do rcli GET "vs:{$p}:swept"; done | sort -u | tr '\n' ' '; }
same_school_day() {
	"$PY" - "$SRC/config/calendars/noord-2026-2027.json" $(swept) <<'PY'
import datetime, json, sys
cal = json.load(open(sys.argv[1]))
day = datetime.date.fromisoformat
marks = sorted(day(m) for m in sys.argv[2:])
closed = {day(c if isinstance(c, str) else c["date"]) for c in cal.get("closed_days", [])}
def school(d):
    return (d.weekday() < 5 and day(cal["first_day"]) <= d <= day(cal["last_day"])
            and d not in closed
            and not any(day(h["from"]) <= d <= day(h["to"]) for h in cal.get("holidays", [])))
d = marks[0] + datetime.timedelta(days=1)
while d <= marks[-1]:
    if school(d):
        sys.exit(1)
    d += datetime.timedelta(days=1)
PY
}
wait_for 30 same_school_day || true
check "every partition swept through the same school day ($(swept))" same_school_day
dead() { for p in 0 1 2 3; do rcli XLEN "vs:{$p}:dead"; done | awk '{ s += $1 } END { print s + 0 }'; }
check "no dead letters" test "$(dead)" -eq 0
# A recorded_at more than a year after its date would win every correction
# and move the clock: the events clock refuses it, as replay does.
printf '%s\n' '{"v":1,"id":"late-1","student":"zz-late","school":"01AC","sector":"vo","kind":"sick","date":"2026-09-03","recorded_at":"2027-09-10T08:00:00Z"}' \
	>"$WORK/late.jsonl"
"$VS" send --config "$WORK/p4.json" "$WORK/late.jsonl" >/dev/null 2>&1
one_dead() { test "$(dead)" -eq 1; }
wait_for 30 one_dead || true
check "a recorded_at a year after its date is a dead letter" one_dead
check "... with reason bad_recorded_at" sh -c "for p in 0 1 2 3; do redis-cli -s '$SOCK' --raw XRANGE \"vs:{\$p}:dead\" - +; done | grep -qx bad_recorded_at"
finish
