#!/bin/sh
# The census's cases per role and acknowledgements in live mode: the
# two-year census fixture (tests/fixtures/census) through the daemon with a
# partner for every routed role; live mode counts the cases opened per role
# in each quarter (not the tasks: a later lrv or long_sick level of the same
# run is an update of the open case), which are the distinct cases the
# partners received and what replay mode counts, and the share of them
# acknowledged within the window (one of the two cases of December 2026 is
# acknowledged: 0.5; none of the others).
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
start_redis
config t ', "partitions": 1'
sed -i "s|\"calendar\": \"[^\"]*\"|\"calendars\": [\"$SRC/config/calendars/noord-2026-2027.json\", \"$SRC/config/calendars/noord-2027-2028.json\"]|" \
	"$WORK/t.json"
config_extend t <<JSON
, "rules": {"first_month": {"enabled": false}, "attendance_tier": {"enabled": false},
            "mazl": {"enabled": false}, "luxe": {"enabled": false}},
  "dispatch": {"poll_ms": 50},
$(file_partners)
}
JSON
start_daemon t
"$VS" send --config "$WORK/t.json" "$SRC/tests/fixtures/census/two_years.jsonl" >/dev/null 2>&1 || true
check "the daemon catches up" wait_caught_up 60
records() { test "$(rcli --scan --pattern 'vs:{0}:task:*' | wc -l)" -ge 6; }  # six signals: lrv, long_sick 4w and 3m, absolute twice, leerplicht_16u
check "the dispatcher made the task records" wait_for 30 records
# a task, not an update of a case (it may arrive before its task:
# docs/partners.md 4.4, and is acknowledged through its task)
rmc_task() { grep -q '"event":"task"' "$WORK/rmc.jsonl" 2>/dev/null; }
check "the rmc partner has A's lrv task" wait_for 30 rmc_task
ID=$(grep '"event":"task"' "$WORK/rmc.jsonl" | head -1 | $PY -c 'import json,sys; print(json.load(sys.stdin)["id"])')
check "acknowledging it works" "$VS" ack --config "$WORK/t.json" "$ID" --partner rmc --outcome planned
ARGS="--date 2028-06-30 --quarters 8 --min-pupils 1 --scope region"
# shellcheck disable=SC2086
check "live mode runs" sh -c "'$VS' census --config '$WORK/t.json' $ARGS >'$WORK/live.json'"
# shellcheck disable=SC2086
check "replay mode runs" sh -c "'$VS' census --config '$WORK/t.json' --replay '$SRC/tests/fixtures/census/two_years.jsonl' $ARGS >'$WORK/replay.json' 2>/dev/null"
compare() {
	"$PY" - "$WORK/live.json" "$WORK/replay.json" "$WORK" <<'PY'
import collections, json, os, sys
live = [json.loads(l) for l in open(sys.argv[1])]
replay = [json.loads(l) for l in open(sys.argv[2])]
assert len(live) == len(replay) == 8, (len(live), len(replay))
# what the partners received: a case per distinct case id, a task without
# one (none here) a case of its own; updates are no new case
got = collections.Counter()
tasks = collections.Counter()
for role, f in (("school", "school"), ("swv", "swv"), ("leerplicht", "leerplicht"), ("rmc", "rmc"),
                ("escalation", "esc")):
    path = os.path.join(sys.argv[3], f + ".jsonl")
    rows = [json.loads(l) for l in open(path)] if os.path.exists(path) else []
    rows = [r for r in rows if r.get("event") in ("task", "update")]
    tasks[role] = len(rows)
    got[role] = len({r.get("case") or r["id"] for r in rows})
counted = collections.Counter()
for l in live:
    counted.update({k: v for k, v in l["cases_opened"].items() if v})
assert counted == +got, (dict(counted), dict(got))
assert sum(tasks.values()) > sum(got.values()), ("the fixture has updates", dict(tasks), dict(got))
for l, r in zip(live, replay):
    assert l["cases_opened"] == r["cases_opened"], (l["census_date"], l["cases_opened"], r["cases_opened"])
want = {"2026-12-18": 0.5}
for l in live:
    n = sum(l["cases_opened"].values())
    share = l["acked_within_window"]
    if n == 0:
        assert share is None, (l["census_date"], share)
    else:
        assert share == want.get(l["census_date"], 0.0), (l["census_date"], share)
assert all(r["acked_within_window"] is None for r in replay)
PY
}
check "cases per role: the partners' distinct cases, as replay counts them; acknowledged within the window: 0.5 in December 2026" compare
finish
