#!/bin/sh
# The documents against the real thing (issue 10 item 3): a real daemon
# delivers to the HTTPS webhook receiver (tests/peers) every payload kind,
# a task, a case's update, the school's separate DUO task, a reminder, an
# escalation, the jeugdarts referral and `vroegsignaal test-delivery`'s
# test payload, and each captured body is validated
# against docs/schemas/payload.json; real answers of the partner API (list
# with a limit, get, acknowledge 200/409/403/422, 401, 400, 404, 405) are
# validated against the response schemas of docs/openapi.yaml. A captured
# payload and an answer with a renamed member must fail validation.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
WINDOW=8
V="$PY $SRC/tests/docs/validate.py"
printf 'whsec-openapi-0123456789abcdef\n' >"$WORK/wh.secret"
for p in school leerplicht jeugdarts; do printf 'token-%s-0123456789abcdef\n' "$p" >"$WORK/$p.token"; done
start_webhook wh --secret-file "$WORK/wh.secret"
WH=$(cat "$WORK/wh.port")
start_redis
hook() { # partner role [token]
	tok=""
	[ -n "${3:-}" ] && tok="\"token_file\": \"$WORK/$1.token\","
	printf '{"id": "%s", "role": "%s", "schools": ["*"], %s "connector": {"type": "webhook", "url": "https://127.0.0.1:%s/%s", "ca_file": "%s", "secret_file": "%s"}, "legal_basis": "Leerplichtwet 1969"}' \
		"$1" "$2" "$tok" "$WH" "$1" "$WORK/certs/ca.pem" "$WORK/wh.secret"
}
config o ', "partitions": 1'
config_extend o <<JSON
, "http": {"listen": "127.0.0.1:0"},
  "dispatch": {"poll_ms": 50, "window_s": $WINDOW, "reminder_percent": 50},
  "partners": [
    $(hook school school 1), $(hook leerplicht leerplicht 1), $(hook swv swv),
    $(hook rmc rmc), $(hook jeugdarts jeugdarts 1), $(hook esc escalation)
  ]
}
JSON
"$VSD" --config "$WORK/o.json" --check >/dev/null || { "$VSD" --config "$WORK/o.json" --check; echo "FAIL the test configuration is invalid"; exit 1; }
start_daemon o
# a thuiszitter's repeat 16-hour reports (a case with an update, the
# school's separate DUO tasks) and MAZL (the referral), in time order, then
# one registration that moves the events clock past them
cat "$SRC/tests/fixtures/replay/leerplicht_16u.jsonl" "$SRC/tests/fixtures/replay/mazl_luxe_absolute.jsonl" |
	$PY -c "import sys, json; ls = sys.stdin.readlines(); ls.sort(key=lambda l: json.loads(l)['recorded_at']); sys.stdout.writelines(ls)" >"$WORK/in.jsonl"
echo '{"v":1,"id":"z1-2026-11-20-enrol-0","student":"z1","school":"01AC","sector":"vo","kind":"enrol","date":"2026-11-20","recorded_at":"2026-11-20T08:00:00Z","birth_date":"2012-03-01"}' >>"$WORK/in.jsonl"
"$VS" send --config "$WORK/o.json" "$WORK/in.jsonl" >"$WORK/send.log" 2>&1 || { cat "$WORK/send.log"; true; }
check "the daemon catches up" wait_caught_up 60
PORT=$(sed -n 's/.*http: listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$WORK/o.log" | head -1)
# bodies by kind, from the receiver's records
split() {
	$PY - "$WORK" <<'PY'
import json, os, sys
work = sys.argv[1]
recs = [json.loads(l) for l in open(os.path.join(work, "wh.jsonl"))]
out = {k: [] for k in ("task", "separate_task", "update", "reminder", "escalation", "referral",
                       "test")}
for r in recs:
    b = r["body"]
    if not isinstance(b, dict):
        continue
    if b.get("event") == "reminder":
        out["reminder"].append(r)
    elif b.get("kind") in ("update", "escalation", "referral", "test"):
        out[b["kind"]].append(r)
    elif b.get("kind") == "separate":
        out["separate_task"].append(r)
    else:
        out["task"].append(r)
for k, rs in out.items():
    with open(os.path.join(work, "kind-%s.jsonl" % k), "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in rs)
print(" ".join("%s=%d" % (k, len(v)) for k, v in out.items()))
PY
}
has() { split >"$WORK/kinds" && ! grep -q "$1=0" "$WORK/kinds"; }
check "a case's update is delivered" wait_for 30 has update
check "the school's separate DUO task is delivered" wait_for 10 has separate_task
TOKEN_S=$(cat "$WORK/school.token") TOKEN_L=$(cat "$WORK/leerplicht.token")
api() { # METHOD PATH TOKEN [BODY] -> status; body in $WORK/resp
	if [ -n "${4:-}" ]; then
		curl -s -o "$WORK/resp" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $3" \
			-H 'Content-Type: application/json' --data "$4" "http://127.0.0.1:$PORT$2"
	else
		curl -s -o "$WORK/resp" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $3" \
			"http://127.0.0.1:$PORT$2"
	fi
}
n=0
# expect DESCRIPTION STATUS METHOD TEMPLATE PATH TOKEN [BODY]: the status, and
# the body valid against the document's schema for that status
expect() {
	desc=$1 want=$2 method=$3 tpl=$4 path=$5 tok=$6
	got=$(api "$method" "$path" "$tok" "${7:-}")
	n=$((n + 1))
	cp "$WORK/resp" "$WORK/resp.$n"
	if [ "$got" != "$want" ]; then
		not_ok "$desc: $got, expected $want ($(head -c 200 "$WORK/resp"))"
	elif $V response "$SRC" "$method" "$tpl" "$got" "$WORK/resp.$n" 2>"$WORK/resp.$n.err"; then
		ok "$desc: $got, as documented"
	else
		not_ok "$desc: $got does not match docs/openapi.yaml: $(head -c 300 "$WORK/resp.$n.err")"
	fi
}
# the school's MAZL task (acknowledged below with consult_requested: the
# referral) and a leerplicht task may come after the 16-hour ones
mazl_and_lp() {
	$PY -c "
import json, sys
bs = [json.loads(l)['body'] for l in open('$WORK/wh.jsonl')]
sys.exit(not (any(b.get('rule') == 'mazl' and b.get('role') == 'school' and b.get('kind') == 'task' for b in bs)
              and any(b.get('role') == 'leerplicht' and b.get('kind') == 'task' for b in bs)))"
}
wait_for 30 mazl_and_lp || true
MAZL=$($PY -c "
import json
for l in open('$WORK/wh.jsonl'):
    b = json.loads(l)['body']
    if b.get('rule') == 'mazl' and b.get('role') == 'school' and b.get('kind') == 'task':
        print(b['id']); break")
SEP=$($PY -c "
import json
for l in open('$WORK/kind-separate_task.jsonl'): print(json.loads(l)['body']['id']); break")
LP=$($PY -c "
import json
for l in open('$WORK/wh.jsonl'):
    b = json.loads(l)['body']
    if b.get('role') == 'leerplicht' and b.get('kind') == 'task': print(b['id']); break")
check "the school has a MAZL task, a separate task, leerplicht a task" test -n "$MAZL" -a -n "$SEP" -a -n "$LP"
T=/v1/tasks
TI='/v1/tasks/{id}'
TA='/v1/tasks/{id}/ack'
expect "list, limit 2" 200 GET $T "$T?limit=2" "$TOKEN_S"
check "... at most 2 tasks" $PY -c "import json,sys; sys.exit(not 0 < len(json.load(open('$WORK/resp'))['tasks']) <= 2)"
expect "list, overdue" 200 GET $T "$T?state=overdue" "$TOKEN_S"
expect "list, an unknown query parameter" 400 GET $T "$T?sate=overdue" "$TOKEN_S"
expect "list, an unknown state" 422 GET $T "$T?state=whenever" "$TOKEN_S"
expect "list, limit 1" 200 GET $T "$T?limit=1" "$TOKEN_S"
check "... with next_cursor (the school has more)" $PY -c "import json,sys; sys.exit(not json.load(open('$WORK/resp')).get('next_cursor'))"
CUR=$($PY -c "import json; print(json.load(open('$WORK/resp')).get('next_cursor', ''))")
expect "list, the next page" 200 GET $T "$T?limit=2&cursor=$CUR" "$TOKEN_S"
expect "list, a malformed cursor" 422 GET $T "$T?cursor=x" "$TOKEN_S"
# cases (GET /v1/cases, GET /v1/cases/{id})
CS=/v1/cases
CI='/v1/cases/{id}'
expect "cases" 200 GET $CS "$CS" "$TOKEN_S"
CASE=$($PY -c "import json; cs = json.load(open('$WORK/resp'))['cases']; print(cs[0]['id'] if cs else '')")
check "... the school has a case" test -n "$CASE"
expect "cases, limit 1" 200 GET $CS "$CS?limit=1&state=open" "$TOKEN_S"
for st in overdue in_progress closed; do
	expect "cases, $st" 200 GET $CS "$CS?state=$st" "$TOKEN_S"
done
expect "cases, an unknown query parameter" 400 GET $CS "$CS?sate=open" "$TOKEN_S"
expect "cases, an unknown state" 422 GET $CS "$CS?state=acked" "$TOKEN_S"
expect "get one case" 200 GET $CI "$CS/$CASE" "$TOKEN_S"
check "... with its items" $PY -c "import json,sys; sys.exit(not json.load(open('$WORK/resp'))['items'])"
expect "get another partner's case" 403 GET $CI "$CS/$CASE" "$TOKEN_L"
expect "get an unknown case" 404 GET $CI "$CS/vs0000000000000000" "$TOKEN_S"
expect "cases, DELETE" 405 DELETE $CS "$CS" "$TOKEN_S"
expect "get one" 200 GET $TI "$T/$SEP" "$TOKEN_S"
expect "get another partner's task" 403 GET $TI "$T/$MAZL" "$TOKEN_L"
expect "get an unknown task" 404 GET $TI "$T/vs0000000000000000" "$TOKEN_S"
expect "no token" 401 GET $T "$T" ""
expect "an unknown token" 401 GET $T "$T" "token-nobody-0123456789abcdef"
expect "a malformed token" 400 GET $T "$T" "$(printf 'a\001b')"
expect "ack consult_requested (referral)" 200 POST $TA "$T/$MAZL/ack" "$TOKEN_S" '{"outcome":"consult_requested","note":"gesprek gepland"}'
check "... names the referral" grep -q '"referral":"vs' "$WORK/resp"
expect "ack planned" 200 POST $TA "$T/$SEP/ack" "$TOKEN_S" '{"outcome":"planned"}'
expect "ack planned again (harmless)" 200 POST $TA "$T/$SEP/ack" "$TOKEN_S" '{"outcome":"planned"}'
expect "ack done" 200 POST $TA "$T/$SEP/ack" "$TOKEN_S" '{"outcome":"done"}'
expect "get one, acknowledged" 200 GET $TI "$T/$SEP" "$TOKEN_S"
expect "a step back after done" 409 POST $TA "$T/$SEP/ack" "$TOKEN_S" '{"outcome":"planned"}'
expect "ack another partner's task" 403 POST $TA "$T/$MAZL/ack" "$TOKEN_L" '{"outcome":"planned"}'
expect "consult_requested from leerplicht" 403 POST $TA "$T/$LP/ack" "$TOKEN_L" '{"outcome":"consult_requested"}'
expect "ack an unknown outcome" 422 POST $TA "$T/$LP/ack" "$TOKEN_L" '{"outcome":"gedaan"}'
expect "DELETE a task" 405 DELETE $TI "$T/$LP" "$TOKEN_L"
check "... with Allow" sh -c "curl -s -D - -o /dev/null -X DELETE -H 'Authorization: Bearer $TOKEN_L' http://127.0.0.1:$PORT$T/$LP | grep -qi '^Allow: GET, HEAD'"
expect "ack an unknown task" 404 POST $TA "$T/vs0000000000000000/ack" "$TOKEN_L" '{"outcome":"planned"}'
check "test-delivery to the school" "$VS" test-delivery --config "$WORK/o.json" --partner school
# reminders at half the window, escalations at its end, the referral
wait_for $((WINDOW * 3)) has reminder
wait_for $((WINDOW * 3)) has escalation
wait_for 20 has referral
check "every payload kind was captured: $(cat "$WORK/kinds")" sh -c "! grep -q '=0' '$WORK/kinds'"
# the reminder of a separate DUO task is a reminder of that task: kind
# separate, the separate frame's text inside "Herinnering: ..."
separate_reminders() {
	$PY - "$WORK" <<'PY'
import json, os, sys
work = sys.argv[1]
# (a task id is shared by its partners: leerplicht's is a plain task)
ids = {(b["id"], b["partner"]) for b in
       (json.loads(l)["body"] for l in open(os.path.join(work, "kind-separate_task.jsonl")))}
rem = [json.loads(l)["body"] for l in open(os.path.join(work, "kind-reminder.jsonl"))]
rem = [b for b in rem if (b["id"], b["partner"]) in ids]
assert rem, "no reminder of a separate task"
for b in rem:
    assert b["kind"] == "separate", b["kind"]
    assert b["action"].startswith("Herinnering") and "aparte taak" in b["action"], b["action"]
PY
}
sep_ok() { split >/dev/null && separate_reminders 2>/dev/null; }
wait_for $((WINDOW * 2)) sep_ok || true
check "a separate task's reminder has kind separate and the separate text" separate_reminders
for k in task separate_task update reminder escalation referral test; do
	if $V payload "$SRC" "$k" "$WORK/kind-$k.jsonl" 2>"$WORK/kind-$k.err"; then
		ok "every delivered $k ($(wc -l <"$WORK/kind-$k.jsonl")) matches docs/schemas/payload.json"
	else
		not_ok "delivered ${k}s do not match docs/schemas/payload.json: $(head -c 400 "$WORK/kind-$k.err")"
	fi
done
# the checks can fail: a renamed member, a payload of another kind
head -1 "$WORK/kind-task.jsonl" | sed 's/"due_at":/"due":/' >"$WORK/renamed.jsonl"
if $V payload "$SRC" task "$WORK/renamed.jsonl" 2>/dev/null; then
	not_ok "a task payload with due_at renamed is refused"
else
	ok "a task payload with due_at renamed is refused"
fi
if $V payload "$SRC" escalation "$WORK/kind-update.jsonl" 2>/dev/null; then
	not_ok "an update is not an escalation"
else
	ok "an update is not an escalation"
fi
sed 's/"tasks":/"items":/' "$WORK/resp.1" >"$WORK/renamed.json"
if $V response "$SRC" GET $T 200 "$WORK/renamed.json" 2>/dev/null; then
	not_ok "a task list with tasks renamed is refused"
else
	ok "a task list with tasks renamed is refused"
fi
finish
