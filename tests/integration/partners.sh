#!/bin/sh
# Partners end to end, against real receivers: an HTTPS webhook receiver
# with a test CA (tests/peers), a real SMTP server with STARTTLS required
# (aiosmtpd), the jeugdarts queue stream in Redis and JSONL files.
#   - the school's webhook is down at first: the other partners get all
#     their deliveries meanwhile; once it is back every school task arrives,
#     signed, one per Idempotency-Key
#   - the swv webhook presents a certificate of another CA: it fails, the
#     operator alert fires and the fallback connector (a file) takes over
#   - leerplicht gets its e-mails over STARTTLS, without health facts
#   - the ack API: 401, 403, 404, 409, 422, a harmless repeat, and a MAZL
#     consult_requested that puts a referral on the jeugdarts queue
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
for tool in curl openssl; do
	command -v "$tool" >/dev/null || { echo "FAIL $tool is not installed (scripts/setup.sh installs it)"; exit 1; }
done
$PY -c 'import aiosmtpd' 2>/dev/null || { echo "FAIL python3-aiosmtpd is not installed (scripts/setup.sh)"; exit 1; }
printf 'whsec-school-0123456789abcdef\n' >"$WORK/school.secret"
printf 'whsec-swv-0123456789abcdef\n' >"$WORK/swv.secret"
for p in school swv leerplicht; do printf 'token-%s-0123456789abcdef\n' "$p" >"$WORK/$p.token"; done
touch "$WORK/down"
start_webhook wh --secret-file "$WORK/school.secret" --down-file "$WORK/down"
touch "$WORK/always"
start_webhook wh2 --reject-file "$WORK/always"
start_peer smtp "$PY" "$SRC/tests/peers/smtp_receiver.py" --port 0 --port-file "$WORK/smtp.port" \
	--cert "$WORK/certs/server.pem" --key "$WORK/certs/server.key" --out "$WORK/smtp.jsonl"
WH=$(cat "$WORK/wh.port") SMTP=$(cat "$WORK/smtp.port") WH2=$(cat "$WORK/wh2.port")
start_redis
keys_watch

config p ', "partitions": 1'
config_extend p <<JSON
, "http": {"listen": "127.0.0.1:0"},
  "dispatch": {"poll_ms": 50, "retry_base_ms": 100, "retry_max_ms": 400,
               "undeliverable_after_s": 1},
  "partners": [
    {"id": "school-01ab", "role": "school", "schools": ["01AB"],
     "connector": {"type": "webhook", "url": "https://127.0.0.1:$WH/hook",
                   "ca_file": "$WORK/certs/ca.pem", "secret_file": "$WORK/school.secret"},
     "token_file": "$WORK/school.token", "legal_basis": "Leerplichtwet 1969 art. 21a; AVG art. 6(1)(e)"},
    {"id": "leerplicht-noord", "role": "leerplicht", "schools": ["*"],
     "connector": {"type": "smtp", "url": "smtp://127.0.0.1:$SMTP", "ca_file": "$WORK/certs/ca.pem",
                   "from": "vroegsignaal@example.nl", "to": ["leerplicht@example.nl"]},
     "token_file": "$WORK/leerplicht.token", "legal_basis": "Leerplichtwet 1969 art. 16"},
    {"id": "swv-noord", "role": "swv", "schools": ["01*"],
     "connector": {"type": "webhook", "url": "https://localhost:$WH/swv",
                   "ca_file": "$WORK/certs/other-ca.pem", "secret_file": "$WORK/swv.secret"},
     "fallback": {"type": "file", "path": "$WORK/swv-fallback.jsonl"},
     "token_file": "$WORK/swv.token", "legal_basis": "Wet passend onderwijs"},
    {"id": "rmc-noord", "role": "rmc", "schools": ["*"],
     "connector": {"type": "file", "path": "$WORK/rmc.jsonl"}, "legal_basis": "RMC-wet"},
    {"id": "ggd-jeugdarts", "role": "jeugdarts", "schools": ["*"],
     "connector": {"type": "redis", "stream": "vs:queue:jeugdarts"}, "legal_basis": "Wet publieke gezondheid"},
    {"id": "aoj-escalatie", "role": "escalation", "schools": ["*"],
     "connector": {"type": "webhook", "url": "https://127.0.0.1:$WH2/esc",
                   "ca_file": "$WORK/certs/ca.pem", "secret": "whsec-esc-0123456789abcdef"},
     "legal_basis": "Jeugdwet"}
  ]
}
JSON
"$VSD" --config "$WORK/p.json" --check >/dev/null || { echo "FAIL the test configuration is invalid"; "$VSD" --config "$WORK/p.json" --check; exit 1; }
start_daemon p
D=$LAST_PID
# --calibration v1: 80 pupils of the first model give every role several tasks (rmc, escalation
# included); the region model's realistic rates give rmc none and escalation one at this size
"$VS" generate --config "$SRC/config/vroegsignaal.json" --calibration v1 --seed 11 --pupils 80 >"$WORK/ev.jsonl" 2>/dev/null
"$VS" send --config "$WORK/p.json" "$WORK/ev.jsonl" >/dev/null 2>&1
check "the daemon catches up" wait_caught_up 60

# What the tasks stream says each role should receive.
rcli --raw XRANGE 'vs:{0}:tasks' - + >"$WORK/tasks.raw"
count_role() {
	awk -v r="$1" 'prev == "roles" { n = split($0, a, ","); for (i = 1; i <= n; i++) if (a[i] == r) c++ } { prev = $0 } END { print c + 0 }' "$WORK/tasks.raw"
}
N_SCHOOL=$(count_role school) N_SWV=$(count_role swv) N_LP=$(count_role leerplicht) N_RMC=$(count_role rmc)
N_ESC=$(count_role escalation)
echo "tasks: school $N_SCHOOL, swv $N_SWV, leerplicht $N_LP, rmc $N_RMC"
check "the sample gives tasks for each of these roles" test "$N_SCHOOL" -gt 50 -a "$N_SWV" -gt 5 -a "$N_LP" -gt 5

lines() { [ -f "$1" ] && wc -l <"$1" || echo 0; }
check "leerplicht gets its $N_LP e-mails while the school's webhook is down" \
	wait_for 60 sh -c "[ \$(wc -l <'$WORK/smtp.jsonl' 2>/dev/null || echo 0) -ge $N_LP ]"
check "rmc gets its $N_RMC tasks (file)" wait_for 30 sh -c "[ \$(wc -l <'$WORK/rmc.jsonl' 2>/dev/null || echo 0) -ge $N_RMC ]"
check "swv's tasks reach its fallback file after the wrong CA fails ($N_SWV)" \
	wait_for 60 sh -c "[ \$(wc -l <'$WORK/swv-fallback.jsonl' 2>/dev/null || echo 0) -ge $N_SWV ]"
check "the webhook saw only 503s while down" \
	$PY -c "import json,sys; r=[json.loads(l) for l in open('$WORK/wh.jsonl')]; sys.exit(not r or any(x['status']!=503 for x in r))"
check "the undeliverable alert is logged for swv" grep -q 'partner swv-noord: task vs[0-9a-f]* not delivered.*switching to the fallback' "$WORK/p.log"
check "the audit names the certificate problem" sh -c "redis-cli -s '$SOCK' --raw XRANGE 'vs:{0}:audit' - + | grep -qi 'certificate\|SSL'"
check "the swv webhook never received a request (TLS verification failed first)" \
	sh -c "! grep -q '\"path\": \"/swv\"' '$WORK/wh.jsonl'"

rm -f "$WORK/down"
ok200() { $PY -c "import json,sys; print(len({x['idempotency_key'] for x in map(json.loads, open('$WORK/wh.jsonl')) if x['status']==200}))"; }
check "the school webhook, back up, receives every school task ($N_SCHOOL)" \
	wait_for 90 sh -c "[ \$($PY -c \"import json; print(len({x['idempotency_key'] for x in map(json.loads, open('$WORK/wh.jsonl')) if x['status']==200}))\") -ge $N_SCHOOL ]"
$PY - "$WORK/wh.jsonl" "$N_SCHOOL" >"$WORK/wh.check" 2>&1 <<'PY' || true
import json, sys, collections
recs = [json.loads(l) for l in open(sys.argv[1])]
ok = [r for r in recs if r['status'] == 200]
keys = collections.Counter(r['idempotency_key'] for r in ok)
assert len(keys) == int(sys.argv[2]), (len(keys), sys.argv[2])
assert all(r['signature_ok'] for r in recs), 'a request without a valid signature'
assert all(r['body']['id'] == r['idempotency_key'] for r in ok), 'Idempotency-Key is not the task id'
assert all(r['body']['partner'] == 'school-01ab' and r['body']['role'] == 'school' for r in ok)
assert all(r['body']['links']['ack'].endswith('/v1/tasks/%s/ack' % r['body']['id']) for r in ok)
# a case's task says by when; an update of an open case says there is no new term
assert all(r['body']['action'] and '{' not in r['body']['action'] and
           ('uiterlijk' in r['body']['action'] if r['body']['kind'] != 'update'
            else 'geen nieuwe termijn' in r['body']['action']) for r in ok), 'no Dutch action text'
mazl = [r['body'] for r in ok if r['body']['rule'] == 'mazl']
assert mazl and all('facts' in b for b in mazl), 'the school must see MAZL facts'
print('ok', len(keys), 'keys,', len(recs) - len(ok), 'refused attempts')
PY
check "school deliveries: signed, keyed by task id, Dutch action text ($(tail -1 "$WORK/wh.check"))" grep -q '^ok' "$WORK/wh.check"

$PY - "$WORK/smtp.jsonl" "$WORK/swv-fallback.jsonl" "$WORK/rmc.jsonl" >"$WORK/min.check" 2>&1 <<'PY' || true
import json, sys
mails = [json.loads(l) for l in open(sys.argv[1])]
assert all(m['tls'] for m in mails), 'an e-mail without TLS'
assert all('vroegsignaal' in m['subject'] for m in mails)
assert all('Grondslag: Leerplichtwet' in m['body'] for m in mails), 'no legal basis in the e-mail'
assert not any('sick' in m['body'] or 'ziek' in m['body'] for m in mails), 'health facts in an e-mail to leerplicht'
# an update of an open case has no deadline of its own, and says so
assert all('{' not in m['body'] and ((' om ' in m['body'] and 'uiterlijk' in m['body']) or
           'geen nieuwe termijn' in m['body']) for m in mails), 'no Dutch deadline in an e-mail'
assert not any('POST' in m['body'] for m in mails), 'an e-mail tells a person to POST'
import os
for path in sys.argv[2:]:
    for l in (open(path) if os.path.exists(path) else []):
        b = json.loads(l)
        assert not any('sick' in k for k in b.get('facts', {})), 'sickness facts to ' + b['partner']
        if b['rule'] in ('mazl', 'long_sick'):
            assert 'facts' not in b, 'health facts to ' + b['partner']
        assert b['legal_basis']
print('ok')
PY
check "minimisation: no health facts to leerplicht, swv or rmc ($(tail -1 "$WORK/min.check"))" grep -q '^ok' "$WORK/min.check"

# The ack API.
PORT=$(sed -n 's/.*http: listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$WORK/p.log")
API="http://127.0.0.1:$PORT/v1/tasks"
TS=$(cat "$WORK/school.token") TW=$(cat "$WORK/swv.token")
MAZL=$($PY -c "
import json
for l in open('$WORK/wh.jsonl'):
    r = json.loads(l)
    if r['status'] == 200 and r['body']['rule'] == 'mazl' and r['body']['kind'] == 'task': print(r['body']['id']); break")
OTHER=$($PY -c "
import json
for l in open('$WORK/wh.jsonl'):
    r = json.loads(l)
    if r['status'] == 200 and r['body']['rule'] == 'first_month' and r['body']['kind'] == 'task': print(r['body']['id']); break")
post() { # token id body -> prints the status code, body in $WORK/resp
	curl -s -o "$WORK/resp" -w '%{http_code}' -X POST -H "Authorization: Bearer $1" \
		-H 'Content-Type: application/json' --data "$3" "$API/$2/ack"
}
check "no token: 401" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$API/$MAZL/ack" --data '{}')" = 401
check "another partner's token: 403" test "$(post "$TW" "$MAZL" '{"outcome":"planned"}')" = 403
check "an unknown task: 404" test "$(post "$TS" vs0000000000000000 '{"outcome":"planned"}')" = 404
check "an unknown outcome: 422" test "$(post "$TS" "$MAZL" '{"outcome":"whatever"}')" = 422
check "an unknown query parameter: 400" \
	test "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TS" "$API?stat=open")" = 400
check "a body that is not JSON: 422" test "$(post "$TS" "$MAZL" 'outcome=planned')" = 422
check "the school lists the MAZL task among its open tasks" \
	sh -c "curl -s -H 'Authorization: Bearer $TS' '$API?state=open&limit=1000' | grep -q '$MAZL'"
check "consult_requested: 200" test "$(post "$TS" "$MAZL" '{"outcome":"consult_requested","note":"gesprek gepland"}')" = 200
check "the answer names the referral" grep -q '"referral":"vs' "$WORK/resp"
check "the same ack again is harmless: 200" test "$(post "$TS" "$MAZL" '{"outcome":"consult_requested"}')" = 200
check "it says already_acknowledged" grep -q already_acknowledged "$WORK/resp"
check "a later outcome afterwards (consult requested, then done): 200" test "$(post "$TS" "$MAZL" '{"outcome":"done"}')" = 200
check "a step back after done: 409" test "$(post "$TS" "$MAZL" '{"outcome":"planned"}')" = 409
check "the acknowledged task is no longer open" \
	sh -c "! curl -s -H 'Authorization: Bearer $TS' '$API?state=open&limit=1000' | grep -q '$MAZL'"
check "the referral reaches the jeugdarts queue" \
	wait_for 20 sh -c "redis-cli -s '$SOCK' --raw XRANGE vs:queue:jeugdarts - + | grep -q '\"kind\":\"referral\".*\"refers\":\"$MAZL\"'"
check "ack of a first_month task: 200" test "$(post "$TS" "$OTHER" '{"outcome":"planned"}')" = 200
check "GET /v1/tasks/{id} shows the outcome" \
	sh -c "curl -s -H 'Authorization: Bearer $TS' '$API/$OTHER' | grep -q '\"outcome\":\"planned\"'"
check "the audit records the acknowledgement with its partner" \
	sh -c "redis-cli -s '$SOCK' --raw XRANGE 'vs:{0}:audit' - + | grep -A1 -x acknowledged | grep -q ."
urls=""
for i in $(seq 1 100); do urls="$urls $API"; done
# shellcheck disable=SC2086
n429=$(curl -s -o /dev/null -w '%{http_code}\n' $urls | grep -c 429 || true)
check "requests beyond the rate limit get 429 ($n429 of 100 on one connection)" test "$n429" -gt 0
sed -n 's/.*"student":"\([^"]*\)".*/\1/p' "$WORK/ev.jsonl" | sort -u >"$WORK/students"
check "no pupil key of the $(wc -l <"$WORK/students") pupils in a log line at info or above" \
	sh -c "! grep -E '^<[3-6]>' '$WORK/p.log' | grep -qF -f '$WORK/students'"

curl -s "http://127.0.0.1:$PORT/metrics" >"$WORK/metrics"
if promtool check metrics <"$WORK/metrics" >"$WORK/promtool.out" 2>&1; then
	ok "promtool check metrics passes with delivery metrics"
else
	not_ok "promtool check metrics: $(cat "$WORK/promtool.out")"
fi
check "vs_deliveries_total counts the school's $N_SCHOOL deliveries" \
	grep -q "^vs_deliveries_total{connector=\"webhook\",partner=\"school-01ab\",outcome=\"delivered\"} $N_SCHOOL\$" "$WORK/metrics"
check "the swv alert is counted" grep -q '^vs_deliveries_undeliverable_total{connector="webhook",partner="swv-noord"} [1-9]' "$WORK/metrics"
check "the delivery latency histogram is there" grep -q '^vs_delivery_latency_seconds_count{partner="leerplicht-noord",connector="smtp"} [1-9]' "$WORK/metrics"

# A partner that refuses (400): failed for good, visible, not retried.
check "the escalation tasks ($N_ESC) are refused for good and listed as failed" \
	wait_for 30 sh -c "[ \$('$VS' tasks --config '$WORK/p.json' --state all --delivery failed --partner aoj-escalatie | tail -n +2 | wc -l) -eq $N_ESC ]"
check "... each tried once (a 400 is not retried)" test "$(wc -l <"$WORK/wh2.jsonl")" -eq "$N_ESC"
check "... and logged as refused for good" grep -q 'partner aoj-escalatie: task vs[0-9a-f]* refused for good (HTTP 400' "$WORK/p.log"
# the undeliverable gauge is the state in Redis (issue 10 item 8): it shows
# them now and clears once they are delivered (the counter stays)
undeliv() { curl -s "http://127.0.0.1:$PORT/metrics" | grep -q "^vs_deliveries_undeliverable{partner=\"aoj-escalatie\"} $1\$"; }
check "the undeliverable gauge shows the $N_ESC refused deliveries" wait_for 20 undeliv "$N_ESC"
check "the status page counts cases per partner" \
	sh -c "curl -s 'http://127.0.0.1:$PORT/' | grep -q '<th>cases</th>'"
check "vs_cases_active counts the school's cases" \
	sh -c "curl -s 'http://127.0.0.1:$PORT/metrics' | grep -q '^vs_cases_active{partner=\"school-01ab\"} [1-9]'"
# vs_cases splits them: open (not overdue), overdue and in progress add up
# to vs_cases_active (one scrape)
split_cases() {
	curl -s "http://127.0.0.1:$PORT/metrics" >"$WORK/m.txt"
	a=$(sed -n 's/^vs_cases_active{partner="school-01ab"} //p' "$WORK/m.txt")
	s=$(sed -n 's/^vs_cases{partner="school-01ab",state="\(open\|overdue\|in_progress\)"} //p' "$WORK/m.txt" |
		awk '{ n++; t += $1 } END { if (n == 3) print t }')
	[ -n "$a" ] && [ "$a" = "$s" ]
}
check "vs_cases{state} splits the school's cases (open, overdue, in_progress add up)" split_cases
# the index holds the cases and nothing else (the trim's note that the
# per-state sets are built is a key of its own): vs_cases_active is its
# length, and every field is a "<student>|<topic>"
index_only_cases() {
	n=$(redis-cli -s "$SOCK" HLEN 'vs:{0}:cases:school-01ab')
	bad=$(redis-cli -s "$SOCK" --raw HKEYS 'vs:{0}:cases:school-01ab' | grep -vc '|') || true
	a=$(curl -s "http://127.0.0.1:$PORT/metrics" | sed -n 's/^vs_cases_active{partner="school-01ab"} //p')
	[ "$bad" = 0 ] && [ -n "$a" ] && [ "$a" = "$n" ]
}
check "the school's cases index holds only cases, vs_cases_active is its length" wait_for 20 index_only_cases
check "... and the trim noted the per-state sets built in a key of its own" \
	test "$(redis-cli -s "$SOCK" GET 'vs:{0}:casesbuilt:school-01ab')" = 1
check "... and the status page shows the three" \
	sh -c "curl -s 'http://127.0.0.1:$PORT/' | grep -q '<th>cases open</th><th>cases overdue</th><th>cases in progress</th>'"
rm -f "$WORK/always" # the partner fixed its end
"$VS" redeliver --config "$WORK/p.json" --partner aoj-escalatie >"$WORK/redeliver.out" 2>&1 || true
check "vroegsignaal redeliver sends the failed deliveries again ($(cat "$WORK/redeliver.out"))" \
	grep -q "^$N_ESC deliveries to aoj-escalatie will be sent again" "$WORK/redeliver.out"
check "... and now they arrive" wait_for 20 sh -c "[ \$(grep -c '\"status\": 200' '$WORK/wh2.jsonl') -eq $N_ESC ]"
check "... recorded as delivered" \
	wait_for 10 sh -c "[ \$('$VS' tasks --config '$WORK/p.json' --state all --delivery delivered --partner aoj-escalatie | tail -n +2 | wc -l) -eq $N_ESC ]"
check "... and the undeliverable gauge is back to 0 (the alert clears)" wait_for 20 undeliv 0

# The operator's commands.
"$VS" check-config --config "$WORK/p.json" >"$WORK/cc.out" 2>&1 && rc=0 || rc=$?
check "check-config: the test configuration serves every role ($rc)" test "$rc" -eq 0
grep -v '"aoj-escalatie"' "$WORK/p.json" | sed 's/^    {"id": "aoj-escalatie".*//' >"$WORK/noesc.json"
$PY - "$WORK/p.json" "$WORK/noesc.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c['partners'] = [p for p in c['partners'] if p['role'] != 'escalation']
json.dump(c, open(sys.argv[2], 'w'))
PY
"$VS" check-config --config "$WORK/noesc.json" >"$WORK/cc2.out" 2>&1 && rc=0 || rc=$?
check "check-config: without an escalation partner it exits 2 ($rc)" test "$rc" -eq 2
check "... and names the school and the role" grep -q 'school 01AB: .*escalation' "$WORK/cc2.out"
"$VS" tasks --config "$WORK/p.json" --partner leerplicht-noord --state open >"$WORK/lp.tsv" 2>&1 || true
LP=$(awk -F'\t' 'NR == 2 { print $1 }' "$WORK/lp.tsv")
# leerplicht's open tasks: one per case (the later signals of a case are updates)
N_LP_OPEN=$(for k in $(rcli --scan --pattern 'vs:{*}:task:*'); do rcli HGET "$k" leerplicht-noord.state; done |
	grep -c -E '^(open|overdue)$')
check "vroegsignaal tasks lists leerplicht's open tasks ($(($(wc -l <"$WORK/lp.tsv") - 1)) of $N_LP_OPEN, $N_LP assignments)" \
	test "$(($(wc -l <"$WORK/lp.tsv") - 1))" -eq "$N_LP_OPEN" -a "$N_LP_OPEN" -gt 0
check "vroegsignaal ack acknowledges for a partner without an integration" \
	"$VS" ack --config "$WORK/p.json" "$LP" --partner leerplicht-noord --outcome contacted
check "vroegsignaal ack refuses another partner's task" \
	sh -c "! '$VS' ack --config '$WORK/p.json' '$LP' --partner rmc-noord --outcome done 2>/dev/null"
check "vroegsignaal tasks --state acked shows it" \
	sh -c "'$VS' tasks --config '$WORK/p.json' --state acked | grep -q '^$LP.*leerplicht-noord.acked'"
STUDENT=$($PY -c "
import json
for l in open('$WORK/wh.jsonl'):
    r = json.loads(l)
    if r['status'] == 200 and r['body']['id'] == '$MAZL': print(r['body']['student']); break")
"$VS" audit --config "$WORK/p.json" --student "$STUDENT" >"$WORK/audit.jsonl" 2>/dev/null || true
check "vroegsignaal audit: the school's delivery of the MAZL task, with fields and legal basis" \
	grep -q "\"event\":\"delivered\",\"task\":\"$MAZL\",\"partner\":\"school-01ab\".*\"fields\":\"student,school.*\"legal_basis\":\"Leerplichtwet" "$WORK/audit.jsonl"
check "... the acknowledgement and the referral" \
	sh -c "grep -q '\"event\":\"acknowledged\"' '$WORK/audit.jsonl' && grep -q '\"event\":\"referral\"' '$WORK/audit.jsonl'"
check "... and only that pupil" sh -c "! grep -v '\"student\":\"$STUDENT\"' '$WORK/audit.jsonl' | grep -q ."

# A reload: a new referral template applies to the next delivery.
$PY - "$WORK/p.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c['templates'] = {'referral': 'NIEUW: plan het consult voor taak {refers}. Actie vóór {due_at}.'}
json.dump(c, open(sys.argv[1], 'w'))
PY
kill -HUP "$D"
check "SIGHUP reloads partners and templates" wait_for 10 sh -c "[ \$(grep -c 'configuration reloaded' '$WORK/p.log') -ge 1 ]"
MAZL2=$($PY -c "
import json
seen = set()
for l in open('$WORK/wh.jsonl'):
    r = json.loads(l)
    if r['status'] == 200 and r['body']['rule'] == 'mazl' and r['body']['kind'] == 'task' and r['body']['id'] != '$MAZL':
        print(r['body']['id']); break")
check "a second consult_requested after the reload: 200" test "$(post "$TS" "$MAZL2" '{"outcome":"consult_requested"}')" = 200
check "its referral carries the new template's text" \
	wait_for 20 sh -c "redis-cli -s '$SOCK' --raw XRANGE vs:queue:jeugdarts - + | grep -q 'NIEUW: plan het consult voor taak $MAZL2'"
kill -TERM "$D"
wait "$D" && rc=0 || rc=$?
check "the daemon exits cleanly with deliveries configured ($rc)" test "$rc" -eq 0
keys_check "partners"
finish
