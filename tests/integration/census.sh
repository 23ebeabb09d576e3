#!/bin/sh
# The census in live mode equals the census in replay mode on the same
# registrations: a generated region plus the two-year census fixture
# (tests/fixtures/census), consumed by the daemon over 2 partitions with the
# events clock, then counted from the partitions' pupil states; replay mode
# counts from the same file. Tasks per role are left out of the comparison:
# live mode counts partner assignments, which need partners (none here:
# zeros, and no acknowledgement share), replay mode the routed roles.
#   census.sh BIN SRC [PUPILS] [SEED]
BIN=$1 SRC=$2
PUPILS=${3:-600}
SEED=${4:-16}
. "$SRC/tests/integration/lib.sh"
"$VS" generate --config "$SRC/config/vroegsignaal.json" --seed "$SEED" --pupils "$PUPILS" \
	>"$WORK/region.jsonl" 2>/dev/null
# in recording order: the generated year, then the fixture's two years
"$PY" - "$WORK/region.jsonl" "$SRC/tests/fixtures/census/two_years.jsonl" >"$WORK/events.jsonl" <<'PY'
import json, sys
lines = []
for path in sys.argv[1:]:
    for n, line in enumerate(open(path)):
        lines.append((json.loads(line)["recorded_at"], len(lines), line))
lines.sort()
sys.stdout.write("".join(l for _, _, l in lines))
PY
echo "seed $SEED, $PUPILS pupils, $(wc -l <"$WORK/events.jsonl") registrations"
start_redis
config c2 ', "partitions": 2, "batch_size": 200'
sed -i 's/^}$/, "http": {"listen": "127.0.0.1:0"}}/' "$WORK/c2.json"
# both school years
sed -i "s|\"calendar\": \"[^\"]*\"|\"calendars\": [\"$SRC/config/calendars/noord-2026-2027.json\", \"$SRC/config/calendars/noord-2027-2028.json\"]|" \
	"$WORK/c2.json"
start_daemon c2
"$VS" send --config "$WORK/c2.json" "$WORK/events.jsonl" >/dev/null 2>&1 || true # the fixture has one line for a study day
check "everything is consumed" "$VS" status --redis "$SOCK" --partitions 2 --wait 300 --quiet
ARGS="--date 2028-06-30 --quarters 8 --min-pupils 1"
replay_census() {
	# shellcheck disable=SC2086
	"$VS" census --config "$WORK/c2.json" --replay "$WORK/events.jsonl" $ARGS \
		>"$WORK/replay.json" 2>"$WORK/replay.err"
}
check "replay mode runs" replay_census
strip() { # the counts both modes have
	"$PY" -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    o.pop("cases_opened"); o.pop("acked_within_window")
    print(json.dumps(o, sort_keys=True))' <"$1" | sort
}
live_equals_replay() {
	# shellcheck disable=SC2086
	"$VS" census --config "$WORK/c2.json" $ARGS >"$WORK/live.json" 2>"$WORK/live.err" || return 1
	strip "$WORK/live.json" >"$WORK/live.cmp"
	strip "$WORK/replay.json" >"$WORK/replay.cmp"
	cmp -s "$WORK/live.cmp" "$WORK/replay.cmp"
}
wait_for 30 live_equals_replay || true
check "live mode equals replay mode ($(wc -l <"$WORK/replay.json") census objects)" live_equals_replay
if ! live_equals_replay; then diff "$WORK/replay.cmp" "$WORK/live.cmp" | head -20; cat "$WORK/live.err"; fi
nonzero() { # the comparison is not between zeros
	grep '"scope":"region"' "$WORK/replay.json" | grep -v '"lrv":{"4w_3m":0,"3m_1y":0,"over_1y":0}' | grep -q . &&
		grep '"scope":"region"' "$WORK/replay.json" | grep -q '"over_1y":1}'
}
check "the region has thuiszitters, and the fixture's long-sick pupil over a year" nonzero
# No partner is configured: the dispatcher records the tasks, but no role was
# assigned one, so every role counts 0 and there is no acknowledgement share.
check "live mode without partners: no role was assigned a task, no ack share" \
	sh -c "grep '\"scope\":\"region\"' '$WORK/live.json' | grep -q '\"cases_opened\":{\"school\":0,.*\"escalation\":0},\"acked_within_window\":null'"
check "no pupil key in the output" sh -c "! grep -q '\"p[ABCD]\"\\|student' '$WORK/live.json'"
# The status page's census: the region's table for the last eight census
# dates up to today, the same counts as live mode's.
PORT=$(sed -n 's/.*http: listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$WORK/c2.log" | head -1)
curl -s -o "$WORK/page.html" "http://127.0.0.1:$PORT/"
"$VS" census --config "$WORK/c2.json" --quarters 8 --scope region >"$WORK/today.json" 2>/dev/null || true
page_matches() {
	"$PY" - "$WORK/page.html" "$WORK/today.json" <<'PY'
import json, re, sys
html = open(sys.argv[1]).read()
m = re.search(r'<table id="census">(.*?)</table>', html)
assert m, 'no census table'
rows = [re.findall(r'<t[dh]>(.*?)</t[dh]>', r) for r in re.findall(r'<tr>(.*?)</tr>', m.group(1))]
want = [json.loads(l) for l in open(sys.argv[2])]
assert rows[0][1:] == [o["census_date"] for o in want], (rows[0], want)
def v(x): return x if isinstance(x, int) else x.replace('<', '&lt;')
expect = []
for kind in ("lrv", "long_sick"):
    for b in ("4w_3m", "3m_1y", "over_1y"):
        expect.append([str(v(o[kind][b])) for o in want])
expect.append([str(v(o["absolute_new"])) for o in want])
expect.append([str(v(o["reports_16u"])) for o in want])
got = [r[1:] for r in rows[1:]]
assert got == expect, (got, expect)
assert '<svg id="chart-census"' in html
PY
}
check "the status page shows live mode's census for the region ($(wc -l <"$WORK/today.json") date(s))" page_matches
rcli SET 'vs:{0}:state-probe' x >/dev/null
check "live mode reads only: the keys are unchanged by it" sh -c \
	"a=\$(redis-cli -s '$SOCK' DBSIZE); '$VS' census --config '$WORK/c2.json' $ARGS >/dev/null 2>&1; test \"\$(redis-cli -s '$SOCK' DBSIZE)\" = \"\$a\""
finish
