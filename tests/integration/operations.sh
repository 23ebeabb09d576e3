#!/bin/sh
# Operations: the flood guard, closures and the status page.
#   - a school day with more tasks than operations.flood allows is held in
#     quarantine: logged, counted in /metrics, listed by `vroegsignaal
#     quarantine list`, shown on the status page; `release` delivers the
#     held tasks, `discard` drops them (both audited)
#   - `vroegsignaal closure add` makes a day no school day within seconds:
#     a registration on it becomes a not_school_day dead letter
#   - the status page: 401 from a non-loopback address without the operator
#     token, 200 with it; server-rendered SVG charts checked in headless
#     Chromium (DOM and a screenshot's pixels)
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "FAIL chromium is not installed (scripts/setup.sh installs it)"; exit 1; }
$PY -c 'import PIL' 2>/dev/null || { echo "FAIL python3-pil is not installed (scripts/setup.sh)"; exit 1; }
printf 'ops-token-0123456789abcdef\n' >"$WORK/ops.token"
start_redis
config o ', "partitions": 1'
config_extend o <<JSON
, "http": {"listen": "127.0.0.1:0"},
  "operations": {"token_file": "$WORK/ops.token",
                 "flood": {"max_tasks_per_school_day": 4, "max_share_percent": 20}},
  "schools": {"01AB": {"pupils": 80}},
  "dispatch": {"poll_ms": 50},
$(file_partners)
}
JSON
start_daemon o
D=$LAST_PID
# --calibration v1: the flood-guard figures below (held days, 01AB 2026-09-11) come from v1 data
"$VS" generate --config "$SRC/config/vroegsignaal.json" --calibration v1 --seed 11 --pupils 80 >"$WORK/ev.jsonl" 2>/dev/null
"$VS" send --config "$WORK/o.json" "$WORK/ev.jsonl" >/dev/null 2>&1
check "the daemon catches up" wait_caught_up 60
held_days() { "$VS" quarantine --config "$WORK/o.json" list | grep -c 'task(s) held' || true; }
# Two under rules v2: 01AB on 2026-09-24, the first day a tier band can have
# held for 10 enrolled days (E = 29), and 2026-08-31.
check "two school days exceed the flood limit and are held" wait_for 20 sh -c "[ \$('$VS' quarantine --config '$WORK/o.json' list | grep -c 'task(s) held') -eq 2 ]"
"$VS" quarantine --config "$WORK/o.json" list >"$WORK/q.list"
check "2026-09-24 (8 tasks of 01AB) is among them" grep -q '^01AB 2026-09-24' "$WORK/q.list"
PORT=$(sed -n 's/.*http: listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$WORK/o.log")
URL="http://127.0.0.1:$PORT"
sleep 6 # the operations snapshot is polled every 5 s
check "the flood guard logged a warning per school day" test "$(grep -c 'flood guard: school day' "$WORK/o.log")" -eq 2
curl -s "$URL/metrics" >"$WORK/metrics"
check "/metrics shows the quarantined school days" grep -q '^vs_quarantine_keys 2$' "$WORK/metrics"
HELD=$(sed -n 's/^vs_quarantined_tasks \([0-9]*\)$/\1/p' "$WORK/metrics")
check "/metrics shows the held tasks ($HELD)" test "${HELD:-0}" -ge 3
if promtool check metrics <"$WORK/metrics" >"$WORK/promtool.out" 2>&1; then
	ok "promtool check metrics passes with the operations gauges"
else
	not_ok "promtool check metrics: $(cat "$WORK/promtool.out")"
fi

# The status page.
code=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "$URL/")
check "the status page refuses a non-loopback client without the token ($code)" test "$code" = 401
code=$(curl -s -o "$WORK/page.html" -w '%{http_code}' --interface 127.0.0.2 \
	-H "Authorization: Bearer $(cat "$WORK/ops.token")" "$URL/")
check "... and serves it with the operations token ($code)" test "$code" = 200
check "the page names the quarantined school day" grep -q 'school day in quarantine: 01AB|2026-09-24' "$WORK/page.html"
check "the page loads nothing from elsewhere" sh -c "! grep -Eq '(src|href)=\"(https?:)?//' '$WORK/page.html'"
check "no pupil key on the page" sh -c "! grep -Eq '\"s[0-9a-f]{8}\"|>s[0-9a-f]{8}<' '$WORK/page.html'"
"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
	--user-data-dir="$WORK/chromium" --window-size=1000,1500 --dump-dom "$URL/" >"$WORK/dom.html" 2>"$WORK/chromium.log" || true
"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
	--user-data-dir="$WORK/chromium" --window-size=1000,1500 --screenshot="$WORK/status.png" "$URL/" >>"$WORK/chromium.log" 2>&1 || true
redis-cli -s "$SOCK" --raw XRANGE 'vs:{0}:tasks' - + >"$WORK/tasks.raw"
$PY - "$WORK/dom.html" "$WORK/status.png" "$WORK/tasks.raw" >"$WORK/page.check" 2>&1 <<'PY' || true
import sys, re
from html.parser import HTMLParser
from PIL import Image
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.bars = 0; self.lines = 0; self.svgs = []; self.rows = 0
        self.table = None; self.census_rows = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'svg': self.svgs.append(a.get('id'))
        if tag == 'rect' and a.get('class') == 'bar' and float(a.get('height', 0)) > 0: self.bars += 1
        if tag == 'polyline' and a.get('class') == 'school': self.lines += 1
        if tag == 'table': self.table = a.get('id')
        if tag == 'tr' and self.table == 'census': self.census_rows += 1
        elif tag == 'tr': self.rows += 1
p = P(); p.feed(open(sys.argv[1]).read())
assert p.svgs == ['chart-rules', 'chart-schools', 'chart-census'], p.svgs
# the census: a header and 8 rows of counts, one column per census date
assert p.census_rows == 9, '%d rows in the census table' % p.census_rows
# the bars the page must draw: one per (day, rule) with tasks in the last 42
# days up to the latest signal date, counting the tasks the rules created
# (entries without "kind": not escalations, referrals or released ones)
import datetime
lines = open(sys.argv[3]).read().split('\n')
entries, cur = [], None
for i, l in enumerate(lines):
    if re.fullmatch(r'\d+-\d+', l):
        cur = {}; entries.append(cur); continue
    if cur is not None and i + 1 < len(lines) and l in ('rule', 'date', 'kind') and l not in cur:
        cur[l] = lines[i + 1]
orig = [e for e in entries if 'kind' not in e and 'date' in e]
import zoneinfo
today = datetime.datetime.now(zoneinfo.ZoneInfo('Europe/Amsterdam')).date()
last = min(today, max(datetime.date.fromisoformat(e['date']) for e in orig))
cells = {(e['date'], e['rule']) for e in orig if 0 <= (last - datetime.date.fromisoformat(e['date'])).days < 42}
assert p.bars == len(cells), '%d bars, expected %d' % (p.bars, len(cells))
assert p.lines == 1, '%d school lines (one school in the sample)' % p.lines
assert p.rows == 6, '%d rows in the partners table' % p.rows
img = Image.open(sys.argv[2]).convert('RGB')
assert img.size == (1000, 1500), img.size
px = img.load()
def count(rgb):
    return sum(1 for x in range(0, 1000, 2) for y in range(0, 1500, 2) if px[x, y] == rgb)
tier = count((0xf2, 0x8e, 0x2b))      # attendance_tier's colour in the bars
lp = count((0x76, 0xb7, 0xb2))        # leerplicht_16u's colour
school = count((0x1f, 0x77, 0xb4))    # the school line
red = sum(1 for x in range(0, 1000) for y in range(0, 400) if px[x, y][0] > 150 and px[x, y][1] < 60 and px[x, y][2] < 60)
assert tier > 30 and lp > 30, 'chart colours not painted (tier %d, leerplicht %d)' % (tier, lp)
assert school > 20, 'the school line is not painted (%d)' % school
assert red > 50, 'the quarantine alert is not painted red (%d)' % red
print('ok: %d bars, pixels tier %d leerplicht %d school line %d alert %d' % (p.bars, tier, lp, school, red))
PY
check "Chromium renders the charts and the alert ($(tail -1 "$WORK/page.check"))" grep -q '^ok' "$WORK/page.check"

# Release one school day, discard the others.
before=$(cat "$WORK"/school.jsonl "$WORK"/swv.jsonl "$WORK"/leerplicht.jsonl 2>/dev/null | wc -l)
"$VS" quarantine --config "$WORK/o.json" release 01AB 2026-09-24 >"$WORK/release.out" 2>&1 || true
check "release reports what it released" grep -q '^01AB|2026-09-24: [1-9][0-9]* task(s) released' "$WORK/release.out"
N=$(sed -n 's/^01AB|2026-09-24: \([0-9]*\) task(s).*/\1/p' "$WORK/release.out")
check "the released tasks reach the partners" wait_for 20 sh -c "[ \$(cat '$WORK'/school.jsonl '$WORK'/swv.jsonl '$WORK'/leerplicht.jsonl 2>/dev/null | wc -l) -ge \$(($before + ${N:-1})) ]"
"$VS" quarantine --config "$WORK/o.json" discard --all >"$WORK/discard.out" 2>&1 || true
check "discard --all drops the rest" grep -q 'discarded' "$WORK/discard.out"
check "nothing is left in quarantine" sh -c "'$VS' quarantine --config '$WORK/o.json' list | grep -q 'no school day is in quarantine'"
check "the audit records the release and the discards" \
	sh -c "redis-cli -s '$SOCK' --raw XRANGE 'vs:{0}:audit' - + | grep -qx released && redis-cli -s '$SOCK' --raw XRANGE 'vs:{0}:audit' - + | grep -qx discarded"

# Absences: 20 of the school's 80 pupils absent on one date is more than
# max_share_percent (20 %, 16 pupils) allows.
"$VS" quarantine --config "$WORK/o.json" list >"$WORK/q0.list"
sed -n 's/.*"student":"\([^"]*\)".*/\1/p' "$WORK/ev.jsonl" | sort -u | head -20 | while read -r st; do
	printf '{"v":1,"id":"flood-%s","student":"%s","school":"01AB","sector":"vo","kind":"absent","date":"2027-03-02","recorded_at":"2027-03-02T08:00:00Z","authorized":"no"}\n' "$st" "$st"
done >"$WORK/flood.jsonl"
"$VS" send --config "$WORK/o.json" "$WORK/flood.jsonl" >/dev/null 2>&1 || true
check "twenty absences of one school on one date put that school day in quarantine" \
	wait_for 15 sh -c "'$VS' quarantine --config '$WORK/o.json' list | grep -q '^01AB 2027-03-02'"
check "... and it is logged once" wait_for 15 sh -c "[ \$(grep -c 'flood guard: school day 01AB|2027-03-02 is in quarantine' '$WORK/o.log') -eq 1 ]"
"$VS" quarantine --config "$WORK/o.json" discard 01AB 2027-03-02 >/dev/null 2>&1 || true

# A closure.
check "closure add accepts a school day" "$VS" closure --config "$WORK/o.json" add 01AB 2027-03-03 --reason staking
check "closure add refuses a date outside the school year" \
	sh -c "! '$VS' closure --config '$WORK/o.json' add 01AB 2030-01-01 2>/dev/null"
check "the daemon applies it within seconds" wait_for 15 grep -q 'closure applied: 2027-03-03 is no school day at 01AB' "$WORK/o.log"
STUDENT=$(head -1 "$WORK/ev.jsonl" | sed 's/.*"student":"\([^"]*\)".*/\1/')
printf '{"v":1,"id":"closure-test-1","student":"%s","school":"01AB","sector":"vo","kind":"absent","date":"2027-03-03","recorded_at":"2027-03-03T08:00:00Z","authorized":"no"}\n' "$STUDENT" >"$WORK/closed.jsonl"
"$VS" send --config "$WORK/o.json" --raw "$WORK/closed.jsonl" >/dev/null 2>&1 || true
check "a registration on the closed day becomes a not_school_day dead letter" \
	wait_for 15 sh -c "redis-cli -s '$SOCK' --raw XRANGE 'vs:{0}:dead' - + | grep -A1 -x reason | grep -qx not_school_day"
"$VS" dead --config "$WORK/o.json" list --reason not_school_day >"$WORK/dead.jsonl" 2>/dev/null || true
check "dead list shows the refused registration with its fields" \
	grep -q '"reason":"not_school_day".*"fields":{.*"id":"closure-test-1"' "$WORK/dead.jsonl"
FIRST=$(sed -n 's/.*"stream_id":"\([^"]*\)".*/\1/p' "$WORK/dead.jsonl" | head -1)
"$VS" dead --config "$WORK/o.json" requeue --reason not_school_day >/dev/null 2>"$WORK/requeue.out" || true
check "dead requeue puts it back on the event stream" grep -q '1 dead letter(s) requeued' "$WORK/requeue.out"
check "the daemon judges it again (a new dead letter from a new entry)" wait_for 15 sh -c "
	'$VS' dead --config '$WORK/o.json' list --reason not_school_day 2>/dev/null | grep -q '\"reason\":\"not_school_day\"' &&
	! '$VS' dead --config '$WORK/o.json' list 2>/dev/null | grep -q '\"stream_id\":\"$FIRST\"'"
kill -TERM "$D"
wait "$D" && rc=0 || rc=$?
check "the daemon exits cleanly ($rc)" test "$rc" -eq 0
finish
