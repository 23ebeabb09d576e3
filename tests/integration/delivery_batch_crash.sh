#!/bin/sh
# A kill -9 between a batch's deliveries and its RESULT (issue 15). The
# dispatcher records outcomes in batches, and a partner's slot is free once
# the partner has answered, so several deliveries can have reached the
# partner when the daemon dies before Redis recorded them. Here Redis holds
# every write (CLIENT PAUSE WRITE) while deliveries are under way: those that
# end meanwhile wait in a RESULT batch that Redis has not run; the daemon is
# killed (the batch dies with its connection) and Redis resumes. Then none of
# them is recorded, each is sent again after its hold with the same
# Idempotency-Key, nothing else is repeated beyond what was under way, and in
# the end every school assignment is recorded as delivered.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
printf 'whsec-school-0123456789abcdef\n' >"$WORK/secret"
start_webhook wh --secret-file "$WORK/secret" --delay-ms 100
start_redis
config k ', "partitions": 1'
config_extend k <<JSON
, "dispatch": {"poll_ms": 50},
  "partners": [
    $(webhook_school 8 2000)
  ]
}
JSON
start_daemon k
D=$LAST_PID
"$VS" send --config "$WORK/k.json" --raw "$SRC/config/sample/events.jsonl" >/dev/null 2>&1 &
SENDER=$!
check "deliveries reach the webhook" wait_for 60 sh -c "[ \$(cat '$WORK/wh.jsonl' 2>/dev/null | wc -l) -ge 40 ]"
wait "$SENDER" || true
rcli CLIENT PAUSE 20000 WRITE >/dev/null
# what is under way ends (100 ms each), and so do the members taken but not
# started; TAKE and RESULT wait in Redis
sleep 1
kill -9 "$D"
wait "$D" 2>/dev/null || true
rcli CLIENT UNPAUSE >/dev/null
# the keys the webhook had answered 200 when the daemon died
$PY -c "
import json
for r in map(json.loads, open('$WORK/wh.jsonl')):
    if r['status'] == 200: print(r['idempotency_key'])" | sort -u >"$WORK/before"
unrecorded() {
	while read -r key; do
		[ "$(rcli HGET "vs:{0}:task:$key" school.delivery)" = delivered ] || echo "$key"
	done <"$WORK/before"
}
unrecorded >"$WORK/unrecorded"
U=$(wc -l <"$WORK/unrecorded")
check "deliveries answered while their RESULT waited are not recorded ($U of $(wc -l <"$WORK/before"))" \
	test "$U" -ge 1
start_daemon k
D=$LAST_PID
check "the daemon catches up" wait_caught_up 120
N_SCHOOL=$(rcli --raw XRANGE 'vs:{0}:tasks' - + | awk 'prev == "roles" { n = split($0, a, ","); for (i = 1; i <= n; i++) if (a[i] == "school") c++ } { prev = $0 } END { print c + 0 }')
undelivered() {
	rcli --scan --pattern 'vs:{0}:task:*' | while read -r k; do
		rcli HGET "$k" school.delivery; done | grep -v '^$' | grep -vc '^delivered$' || true
}
# the unrecorded ones come due again after their hold (timeout 2 s + 10 s)
check "every school assignment ends recorded as delivered" wait_for 90 sh -c "[ \$(
	redis-cli -s '$SOCK' --scan --pattern 'vs:{0}:task:*' | while read -r k; do
		redis-cli -s '$SOCK' HGET \"\$k\" school.delivery; done | grep -v '^\$' | grep -vc '^delivered\$') -eq 0 ]"
$PY -c "
import collections, json
c = collections.Counter(r['idempotency_key'] for r in map(json.loads, open('$WORK/wh.jsonl')) if r['status'] == 200)
for k, n in c.items(): print(k, n)" | sort >"$WORK/counts"
resent=$(awk 'NR == FNR { u[$1] = 1; next } ($1 in u) && $2 >= 2 { n++ } END { print n + 0 }' "$WORK/unrecorded" "$WORK/counts")
check "each unrecorded delivery was sent again with the same Idempotency-Key ($resent of $U)" test "$resent" -eq "$U"
distinct=$(wc -l <"$WORK/counts")
repeats=$(awk '{ r += $2 - 1 } END { print r + 0 }' "$WORK/counts")
check "every school task reached the webhook ($distinct of $N_SCHOOL)" test "$distinct" -eq "$N_SCHOOL"
# repeats: the unrecorded ones, and at most max_in_flight (8) more under way
# at the kill
check "repeats only for what was unrecorded or under way ($repeats, unrecorded $U)" test "$repeats" -le $((U + 8))
check "no assignment left undelivered" test "$(undelivered)" -eq 0
kill -TERM "$D"
wait "$D" || true
finish
