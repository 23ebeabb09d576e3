#!/bin/sh
# Cases end to end (issue 10): a thuiszitter's repeat 16-hour reports (t1 in
# the leerplicht_16u fixture: 2026-09-28 and 2026-10-05) reach leerplicht as
# one case, a task and then an update (no window of its own), and reach the
# school as two separate DUO-report tasks linked to one case. Receivers are
# the file connector's JSON lines. Acknowledging the leerplicht case's task
# with planned, then done, closes the case; a step back is refused.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
printf 'whsec-wij-0123456789abcdef\n' >"$WORK/secret"
start_webhook wh --secret-file "$WORK/secret"
start_redis
keys_watch
config t ', "partitions": 1'
config_extend t <<JSON
, "rules": {"first_month": {"enabled": false}, "attendance_tier": {"enabled": false},
            "mazl": {"enabled": false}},
  "dispatch": {"poll_ms": 50},
  "partners": [
    {"id": "school", "role": "school", "schools": ["*"],
     "connector": {"type": "file", "path": "$WORK/school.jsonl"}, "legal_basis": "Leerplichtwet 1969"},
    {"id": "leerplicht", "role": "leerplicht", "schools": ["*"],
     "connector": {"type": "file", "path": "$WORK/leerplicht.jsonl"}, "legal_basis": "Leerplichtwet 1969"},
    {"id": "rmc", "role": "rmc", "schools": ["*"],
     "connector": {"type": "file", "path": "$WORK/rmc.jsonl"}, "legal_basis": "RMC"},
    {"id": "wij", "role": "wij", "schools": ["*"],
     "connector": {"type": "webhook", "url": "https://127.0.0.1:$(cat "$WORK/wh.port")/hook",
                   "ca_file": "$WORK/certs/ca.pem", "secret_file": "$WORK/secret"},
     "fallback": {"type": "redis", "stream": "k:queue:wij"}, "legal_basis": "Jeugdwet"}
  ]
}
JSON
start_daemon t
# the fixture, then one later registration that moves the events clock past
# 2026-10-05 (as replay's --until 2026-10-09 does)
cat "$SRC/tests/fixtures/replay/leerplicht_16u.jsonl" >"$WORK/in.jsonl"
echo '{"v":1,"id":"z1-2026-10-09-enrol-0","student":"z1","school":"01AC","sector":"vo","kind":"enrol","date":"2026-10-09","recorded_at":"2026-10-09T08:00:00Z","birth_date":"2012-03-01"}' >>"$WORK/in.jsonl"
"$VS" send --config "$WORK/t.json" "$WORK/in.jsonl" >/dev/null 2>&1 || true
check "the daemon catches up" wait_caught_up 60
lines() { [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; }
check "leerplicht receives w1's task and t1's task and update" wait_for 30 lines "$WORK/leerplicht.jsonl" 3
check "the school receives w1's task and t1's two DUO tasks" wait_for 30 lines "$WORK/school.jsonl" 3
sleep 0.5
shape() {
	"$PY" - "$WORK/leerplicht.jsonl" "$WORK/school.jsonl" <<'PY'
import json, sys
lp = [json.loads(l) for l in open(sys.argv[1])]
sc = [json.loads(l) for l in open(sys.argv[2])]
def of(rows, student):
    return [r["payload"] if "payload" in r else r for r in rows
            if (r.get("payload", r).get("student") or r.get("student")) == student]
# the file connector writes the payload; t1's rows per partner
# (in the order of their dates: deliveries may arrive in any order,
# docs/partners.md 4.4; a backlog's tasks are delivered side by side)
lpt = sorted((r for r in lp if r.get("student") == "t1"), key=lambda r: r["date"])
sct = sorted((r for r in sc if r.get("student") == "t1"), key=lambda r: r["date"])
assert len(lpt) == 2, lpt
assert [r["kind"] for r in lpt] == ["task", "update"], [r["kind"] for r in lpt]
assert lpt[0]["case"] == lpt[1]["case"], lpt
assert "due_at" in lpt[0] and "due_at" not in lpt[1], lpt
assert "geen nieuwe termijn" in lpt[1]["action"], lpt[1]["action"]
assert lpt[0]["id"] != lpt[1]["id"]
assert len(sct) == 2, sct
assert [r["kind"] for r in sct] == ["separate", "separate"], sct
assert sct[0]["case"] == sct[1]["case"] and sct[0]["case"] != lpt[0]["case"], sct
assert all("due_at" in r for r in sct)
print(lpt[0]["id"])
PY
}
if TASK=$(shape); then ok "cases and updates as delivered"; else not_ok "cases and updates as delivered"; fi
# the case events live in the assignment's audit entry (one entry, not two)
"$VS" audit --config "$WORK/t.json" --student t1 >"$WORK/audit.jsonl" 2>/dev/null || true
if "$PY" - "$WORK/audit.jsonl" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert not [e for e in ev if e["event"] in ("case_opened", "case_update", "case_task")], ev
a = [e for e in ev if e["event"] == "assigned"]
lp = [e for e in a if e["partner"] == "leerplicht"]
sc = [e for e in a if e["partner"] == "school"]
assert [(e.get("case_event"), e.get("detail"), e.get("kind")) for e in lp] == \
    [("opened", "unauthorised", None), (None, None, "update")], lp
assert [(e.get("case_event"), e.get("detail")) for e in sc] == \
    [("opened", "unauthorised"), ("linked", None)], sc
assert all(e["case"] for e in a), a
PY
then ok "the audit: case_event opened / linked and kind update on the assigned entries"
else not_ok "the audit: case_event on the assigned entries ($(cat "$WORK/audit.jsonl"))"; fi
if [ -n "$TASK" ]; then
	check "leerplicht plans the case" "$VS" ack --config "$WORK/t.json" "$TASK" --partner leerplicht --outcome planned
	check "... then closes it with done" "$VS" ack --config "$WORK/t.json" "$TASK" --partner leerplicht --outcome done
	if "$VS" ack --config "$WORK/t.json" "$TASK" --partner leerplicht --outcome planned 2>/dev/null; then
		not_ok "a step back after done is refused"
	else
		ok "a step back after done is refused"
	fi
	closed() { rcli --raw HGETALL "vs:{0}:cases:leerplicht" | grep -q '^t1|unauthorised$' && return 1; return 0; }
	check "the case is no longer open for t1" closed
	"$VS" cases --config "$WORK/t.json" --partner leerplicht --state closed >"$WORK/closed.tsv" 2>&1 || true
	check "vroegsignaal cases lists the closed case: 1 task, 1 update, done" \
		grep -q "	unauthorised	closed	.*	1	1	done\$" "$WORK/closed.tsv"
	"$VS" cases --config "$WORK/t.json" --partner school --state open >"$WORK/open.tsv" 2>&1 || true
	check "... and the school's open cases: t1's with 2 DUO tasks" grep -q "	unauthorised	open	.*	2	0	\$" "$WORK/open.tsv"
fi

# vroegsignaal test-delivery (issue 10 item 7): a signed test payload through
# the partner's connector, and the answer
"$VS" test-delivery --config "$WORK/t.json" --partner wij >"$WORK/td.out" 2>&1 && rc=0 || rc=$?
check "test-delivery to a webhook: delivered ($(head -1 "$WORK/td.out"))" test "$rc" -eq 0
check "... the answer is shown" grep -q '^answer: HTTP 200' "$WORK/td.out"
testbody() {
	"$PY" - "$WORK/wh.jsonl" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][-1]
b = r['body']
assert r['signature_ok'] and r['status'] == 200, r
assert b['event'] == 'test' and b['kind'] == 'test' and b['partner'] == 'wij', b
assert r['idempotency_key'] == b['id'] and b['id'].startswith('test-'), r
assert 'student' not in b and b['action'], b
PY
}
check "... signed, keyed, no pupil data" testbody
"$VS" test-delivery --config "$WORK/t.json" --partner wij --fallback >"$WORK/td2.out" 2>&1 && rc=0 || rc=$?
check "test-delivery through the fallback (a redis queue): delivered" test "$rc" -eq 0
onqueue() { rcli --raw XRANGE k:queue:wij - + | grep -q '"kind":"test"'; }
check "... the test is on the queue" onqueue
"$VS" test-delivery --config "$WORK/t.json" --partner nobody >/dev/null 2>&1 && rc=0 || rc=$?
check "test-delivery to an unknown partner: exit 1" test "$rc" -eq 1
keys_check "cases"
finish
