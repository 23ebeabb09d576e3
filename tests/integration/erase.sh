#!/bin/sh
# Erasure (AVG art. 17) while the daemon runs: after half of the sample is
# processed, the pupil with the most tasks gets its remaining registrations,
# the other half starts streaming in, and `vroegsignaal erase` runs at once.
# Afterwards no key or value under vs:* names the pupil (the partner queues
# are named by the command for the region to clear), the other pupils' tasks
# are exactly replay's, the audit holds an "erased" entry without the key,
# and a new registration of the pupil makes a state byte for byte equal to
# a never-seen pupil's with the same registration: the daemon's cache did
# not write the old state back.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
start_redis
keys_watch
config k ', "partitions": 2'
config_extend k <<JSON
, "dispatch": {"poll_ms": 50, "retry_base_ms": 100, "retry_max_ms": 500},
  "partners": [
    {"id": "school", "role": "school", "schools": ["*"],
     "connector": {"type": "redis", "stream": "k:queue:school"}, "legal_basis": "Leerplichtwet 1969"},
    {"id": "rest", "role": "swv", "schools": ["*"],
     "connector": {"type": "redis", "stream": "k:queue:swv"}, "legal_basis": "Wet passend onderwijs"},
    {"id": "lp", "role": "leerplicht", "schools": ["*"],
     "connector": {"type": "redis", "stream": "k:queue:lp"}, "legal_basis": "Leerplichtwet 1969"},
    {"id": "esc", "role": "escalation", "schools": ["*"],
     "connector": {"type": "redis", "stream": "k:queue:esc"}, "legal_basis": "Jeugdwet"}
  ]
}
JSON
SAMPLE="$SRC/config/sample/events.jsonl"
N=$(wc -l <"$SAMPLE")
head -n $((N / 2)) "$SAMPLE" >"$WORK/a.jsonl"
tail -n +$((N / 2 + 1)) "$SAMPLE" >"$WORK/b.jsonl"
# others_of: the task ids (not escalations or referrals) and states of
# every pupil but $VICTIM, sorted, into $WORK/$1.tasks and $WORK/$1.states
others_of() {
	for p in 0 1; do rcli --raw XRANGE "vs:{$p}:tasks" - +; done |
		awk -v v="$VICTIM" '/^[0-9]+-[0-9]+$/ { if (id != "" && !kind && st != v) print id; id = ""; kind = 0; st = "" }
		     prev == "id" { id = $0 } prev == "kind" { kind = 1 } prev == "student" { st = $0 } { prev = $0 }
		     END { if (id != "" && !kind && st != v) print id }' | sort >"$WORK/$1.tasks"
	for p in 0 1; do rcli --raw EVAL "local t, o = redis.call('HGETALL', KEYS[1]), {}
		for i = 1, #t, 2 do if t[i] ~= ARGV[1] then o[#o + 1] = t[i] .. ' ' .. redis.sha1hex(t[i + 1]) end end
		return o" 1 "vs:{$p}:state" "$VICTIM"; done | sort >"$WORK/$1.states"
}
# The control: the same registrations in the same steps, no erasure. (The
# daemon's events clock makes the result depend on the steps, so replay is
# no reference here.)
start_daemon k
D=$LAST_PID
"$VS" send --config "$WORK/k.json" --raw "$WORK/a.jsonl" >/dev/null 2>&1 || true
check "the first half is processed" wait_caught_up 120
for p in 0 1; do rcli --raw XRANGE "vs:{$p}:tasks" - +; done |
	awk 'prev == "student" { print } { prev = $0 }' | sort | uniq -c | sort -rn >"$WORK/counts"
VICTIM=$(awk 'NR == 1 { print $2 }' "$WORK/counts")
grep -F "\"student\":\"$VICTIM\"" "$WORK/b.jsonl" >"$WORK/b.victim" || true
grep -vF "\"student\":\"$VICTIM\"" "$WORK/b.jsonl" >"$WORK/b.others"
"$VS" send --config "$WORK/k.json" --raw "$WORK/b.victim" >/dev/null 2>&1 || true
"$VS" send --config "$WORK/k.json" --raw "$WORK/b.others" >/dev/null 2>&1 || true
check "the control run is processed" wait_caught_up 120
sleep 5 # sweeps a partition catches up on
others_of control
kill -TERM "$D"
wait "$D" || true
rcli FLUSHALL >/dev/null
# The run with the erasure.
start_daemon k
D=$LAST_PID
"$VS" send --config "$WORK/k.json" --raw "$WORK/a.jsonl" >/dev/null 2>&1 || true
check "the first half is processed" wait_caught_up 120
echo "erasing $VICTIM ($(awk 'NR == 1 { print $1 }' "$WORK/counts") task entries so far)"
P=$($PY -c "
h = 0x811c9dc5
for b in b'$VICTIM': h = ((h ^ b) * 0x01000193) & 0xffffffff
print(h % 2)")
rcli --raw HGET "vs:{$P}:state" "$VICTIM" | od -An -tx1 >"$WORK/state.before"
check "the pupil has a state before" test -s "$WORK/state.before"
# the pupil's last registrations, then the others keep coming during the erasure
"$VS" send --config "$WORK/k.json" --raw "$WORK/b.victim" >/dev/null 2>&1 || true
"$VS" send --config "$WORK/k.json" --raw "$WORK/b.others" >/dev/null 2>&1 &
SENDER=$!
sleep 0.3
# the pupil's cases (issue 10): their ids must be gone too (case records,
# their item lists, the partners' case sets and open-case indexes)
rcli --scan --pattern "vs:{$P}:case:*" | while read -r k; do
	if [ "$(rcli HGET "$k" student)" = "$VICTIM" ]; then echo "${k##*:}"; fi
done >"$WORK/victim.cases"
check "erase succeeds" sh -c "'$VS' erase --config '$WORK/k.json' --student '$VICTIM' >'$WORK/erase.out' 2>&1"
cat "$WORK/erase.out"
wait "$SENDER" || true
check "the rest is processed after the erasure" wait_caught_up 120
sleep 1 # the dispatcher's last accepts and deliveries
check "erase names the partners' Redis queues for the region to clear" \
	grep -q "school (redis connector k:queue:school): delete the pupil's messages" "$WORK/erase.out"
# every key and value under vs:*
dump() {
	rcli --scan --pattern 'vs:*' | while read -r k; do
		echo "$k"
		case $(rcli type "$k") in
		string) rcli --raw GET "$k" ;;
		hash) rcli --raw HGETALL "$k" ;;
		list) rcli --raw LRANGE "$k" 0 -1 ;;
		set) rcli --raw SMEMBERS "$k" ;;
		zset) rcli --raw ZRANGE "$k" 0 -1 ;;
		stream) rcli --raw XRANGE "$k" - + ;;
		esac
	done
}
dump >"$WORK/dump"
NAMED=$(grep -c -F "$VICTIM" "$WORK/dump" || true)
check "nothing under vs:* names the pupil ($NAMED lines do)" test "$NAMED" -eq 0
CASES_LEFT=0
while read -r c; do
	if grep -q -F "$c" "$WORK/dump"; then CASES_LEFT=$((CASES_LEFT + 1)); fi
done <"$WORK/victim.cases"
check "the pupil's $(wc -l <"$WORK/victim.cases") case(s) are gone, ids included ($CASES_LEFT left)" test "$CASES_LEFT" -eq 0
[ "$NAMED" -eq 0 ] || grep -F "$VICTIM" "$WORK/dump" | head -5
check "the audit records the erasure" sh -c "redis-cli -s '$SOCK' --raw XRANGE 'vs:{$P}:audit' - + | grep -qx erased"
same() { others_of erased; cmp -s "$WORK/erased.tasks" "$WORK/control.tasks" && cmp -s "$WORK/erased.states" "$WORK/control.states"; }
wait_for 30 same || true
check "the other pupils' tasks and states are the control run's ($(wc -l <"$WORK/erased.tasks") tasks, $(wc -l <"$WORK/erased.states") states)" same
# a new registration of the pupil starts from nothing, like a new pupil's
TWIN=$($PY -c "
def p(s):
    h = 0x811c9dc5
    for b in s.encode(): h = ((h ^ b) * 0x01000193) & 0xffffffff
    return h % 2
i = 0
while p('twin%d' % i) != $P: i += 1
print('twin%d' % i)")
LAST=$(grep -F "\"student\":\"$VICTIM\"" "$SAMPLE" | grep '"kind":"enrol"' | tail -1)
for who in "$VICTIM" "$TWIN"; do
	echo "$LAST" | sed "s/\"student\":\"$VICTIM\"/\"student\":\"$who\"/; s/\"id\":\"[^\"]*\"/\"id\":\"again-$who\"/"
done >"$WORK/again.jsonl"
"$VS" send --config "$WORK/k.json" --raw "$WORK/again.jsonl" >/dev/null
check "the new registrations are processed" wait_caught_up 60
rcli --raw HGET "vs:{$P}:state" "$VICTIM" | od -An -tx1 >"$WORK/state.after"
rcli --raw HGET "vs:{$P}:state" "$TWIN" | od -An -tx1 >"$WORK/state.twin"
check "the pupil's new state is a new pupil's, not the old one written back" \
	sh -c "test -s '$WORK/state.after' && cmp -s '$WORK/state.after' '$WORK/state.twin' && ! cmp -s '$WORK/state.after' '$WORK/state.before'"
check "erase without --student exits 2" sh -c "'$VS' erase --config '$WORK/k.json' 2>/dev/null; test \$? -eq 2"
kill -TERM "$D"
wait "$D" || true
keys_check "erase"
finish
