#!/bin/sh
# The action window, shortened to a few seconds (dispatch.window_s): a
# reminder at half the window and an escalation task when it is due, for
# every assignment not acknowledged, none for the acknowledged ones, also
# when the daemon is killed (-9) and restarted inside the window. Every
# escalation links the overdue task and fires on time.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
WINDOW=6
printf 'token-school-0123456789abcdef\n' >"$WORK/school.token"
start_redis
config w ', "partitions": 1'
config_extend w <<JSON
, "http": {"listen": "127.0.0.1:0"},
  "dispatch": {"poll_ms": 50, "window_s": $WINDOW, "reminder_percent": 50},
  "partners": [
    {"id": "school", "role": "school", "schools": ["*"], "token_file": "$WORK/school.token",
     "connector": {"type": "file", "path": "$WORK/school.jsonl"}, "legal_basis": "Leerplichtwet 1969"},
$(file_partners_but_school)
  ]
}
JSON
"$VS" generate --config "$SRC/config/vroegsignaal.json" --seed 5 --pupils 30 >"$WORK/ev.jsonl" 2>/dev/null
start_daemon w
D=$LAST_PID
"$VS" send --config "$WORK/w.json" "$WORK/ev.jsonl" >/dev/null 2>&1
check "the daemon catches up" wait_caught_up 60
N_TASKS=$(redis-cli -s "$SOCK" XLEN 'vs:{0}:tasks')
check "the school file has the first deliveries" wait_for 20 test -s "$WORK/school.jsonl"
PORT=$(sed -n 's/.*http: listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$WORK/w.log")
TOKEN=$(cat "$WORK/school.token")
$PY -c "
import json
# the first three tasks (case updates have no window to acknowledge)
ids = [b['id'] for b in map(json.loads, open('$WORK/school.jsonl')) if b['event'] == 'task']
print('\n'.join(ids[:3]))" >"$WORK/acked"
for id in $(cat "$WORK/acked"); do
	curl -s -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" --data '{"outcome":"planned"}' \
		"http://127.0.0.1:$PORT/v1/tasks/$id/ack"
done
kill -9 "$D"
sleep 1
start_daemon w
D=$LAST_PID
sleep $((WINDOW + 4))
check "every task's escalations have arrived" wait_for 30 sh -c "
	n=\$(redis-cli -s '$SOCK' --raw XRANGE 'vs:{0}:audit' - + | grep -cx overdue)
	e=\$(wc -l <'$WORK/esc.jsonl' 2>/dev/null || echo 0)
	[ \$n -gt 0 ] && [ \$e -ge \$n ]"
$PY - "$WORK" "$WINDOW" >"$WORK/check.out" 2>&1 <<'PY' || true
import json, os, sys, datetime
work, window = sys.argv[1], int(sys.argv[2])
def load(name):
    p = os.path.join(work, name)
    return [json.loads(l) for l in open(p)] if os.path.exists(p) else []
acked = set(open(os.path.join(work, 'acked')).read().split())
def t(s):
    return datetime.datetime.fromisoformat(s.replace('Z', '+00:00')).timestamp()
first = {}
reminded, escalated = set(), {}
for name, role in (('school.jsonl', 'school'), ('swv.jsonl', 'swv'), ('leerplicht.jsonl', 'leerplicht'), ('rmc.jsonl', 'rmc')):
    for b in load(name):
        key = (b['id'], b['partner'])
        if b['event'] == 'task':
            first.setdefault(key, b)
        elif b['event'] == 'reminder':
            reminded.add(key)
esc = load('esc.jsonl')
for b in esc:
    if b.get('kind') == 'escalation' and b['event'] == 'task':
        escalated[b['escalates']] = b
open_keys = {k for k in first if not (k[1] == 'school' and k[0] in acked)}
assert acked, 'nothing was acknowledged'
missing_r = {k for k in open_keys if k not in reminded}
assert not missing_r, 'no reminder for %d open assignments' % len(missing_r)
assert not any(k[0] in acked and k[1] == 'school' for k in reminded), 'a reminder for an acknowledged task'
missing_e = {k[0] for k in open_keys if k[0] not in escalated}
assert not missing_e, 'no escalation for %d open tasks' % len(missing_e)
assert not any(a in escalated for a in acked), 'an acknowledged task was escalated'
esc_ids = {b['id'] for b in esc if b.get('kind') == 'escalation'}
assert not any(b['escalates'] in esc_ids for b in esc if b.get('kind') == 'escalation'), 'an escalation was escalated'
late = 0
for tid, b in escalated.items():
    orig = next(v for k, v in first.items() if k[0] == tid)
    delay = t(b['created_at']) - t(orig['created_at'])
    assert delay >= window - 0.5, 'escalated before it was due (%.1f s)' % delay
    late = max(late, delay - window)
assert late < 4, 'an escalation came %.1f s late' % late
print('ok: %d assignments, %d reminders, %d escalations, latest %.1f s after due' % (len(first), len(reminded), len(escalated), late))
PY
check "reminders and escalations for exactly the open assignments, on time ($(tail -1 "$WORK/check.out"))" grep -q '^ok' "$WORK/check.out"
kill -TERM "$D"
wait "$D" || true
finish
