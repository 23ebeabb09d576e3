#!/bin/sh
# Dead letters and the commit script's all-or-nothing promise.
#  1. An entry with 5,000 fields (more than Lua can unpack into one XADD)
#     does not block its partition: the registrations around it become
#     tasks, and it becomes a dead letter with its fields cut to the stated
#     limits and a message and a "cut" field saying so.
#  2. Field names that share their first 64 bytes, or differ only after a
#     NUL byte, stay distinct in the dead letter; a 10 MB value is cut.
#  3. A commit that fails on the key it writes last (a daily counter of the
#     wrong type) writes nothing of its batch: no state, no task, no dead
#     letter, no offset moved. Once the key is fixed the batch commits exactly once.
#  4. An entry whose commit keeps failing goes to the dead letters after
#     max_deliveries starts at one offset (delivery_limit); the others are
#     applied once.
#   deadletter.sh BIN SRC
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"

# resp.py: a tiny binary-safe Redis client (redis-cli cuts names at NUL in
# its arguments and prints binary values ambiguously).
#   resp.py SOCK xadd STREAM SPEC    XADD STREAM * with the fields of SPEC
#   resp.py SOCK fields STREAM N     the field names and value lengths of
#                                    the Nth entry (0 first) as JSON
cat >"$WORK/resp.py" <<'PY'
import json, socket, sys

def cmd(s, f, *args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    s.sendall(out)
    return read(f)

def read(f):
    line = f.readline()
    t, rest = line[:1], line[1:-2]
    if t == b"+": return rest
    if t == b"-": raise SystemExit("redis: " + rest.decode())
    if t == b":": return int(rest)
    if t == b"$":
        n = int(rest)
        if n < 0: return None
        data = f.read(n + 2)
        return data[:-2]
    if t == b"*":
        n = int(rest)
        return None if n < 0 else [read(f) for _ in range(n)]
    raise SystemExit("bad reply %r" % line)

s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rb")
what, stream = sys.argv[2], sys.argv[3]
reg = [b"v", b"1", b"student", b"pbig", b"school", b"01AC", b"sector", b"vo", b"kind", b"concern",
       b"date", b"2026-09-01", b"recorded_at", b"2026-09-01T08:00:00Z"]
if what == "xadd":
    spec = sys.argv[4]
    if spec == "many":     # 5,000 fields
        fl = list(reg) + [b"id", b"many"]
        for i in range(5000 - 8):
            fl += [b"extra%04d" % i, b"v%d" % i]
    elif spec == "names":  # long names alike in their first 64 (and 128) bytes, NUL names
        fl = list(reg) + [b"id", b"names"]
        fl += [b"n" * 64 + b"A", b"1", b"n" * 64 + b"B", b"2"]
        fl += [b"m" * 200 + b"A", b"3", b"m" * 200 + b"B", b"4"]
        fl += [b"z\x00one", b"5", b"z\x00two", b"6"]
        fl += [b"na\xefve", b"caf\xe9"]  # Latin-1 bytes: not UTF-8
    elif spec == "huge":   # one 10 MB value
        fl = list(reg) + [b"id", b"huge", b"comment", b"y" * (10 * 1024 * 1024)]
    print(cmd(s, f, "XADD", stream, "*", *fl).decode())
elif what == "fields":
    e = cmd(s, f, "XRANGE", stream, "-", "+")[int(sys.argv[4])]
    kv = e[1]
    names = [kv[i].decode("latin-1") for i in range(0, len(kv), 2)]
    vals = {kv[i].decode("latin-1"): kv[i + 1] for i in range(0, len(kv), 2)}
    print(json.dumps({"names": names,
                      "lens": [len(kv[i + 1]) for i in range(0, len(kv), 2)],
                      "text": {k: v.decode("latin-1") for k, v in vals.items() if len(v) < 512}}))
PY
resp() { "$PY" "$WORK/resp.py" "$SOCK" "$@"; }
# jq-free JSON questions: dl N EXPR evaluates a Python expression over the
# Nth dead letter (d: names, lens, text).
dl() {
	resp fields 'vs:{0}:dead' "$1" >"$WORK/deadletter.json"
	"$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$WORK/deadletter.json"
}

# concern N DATE: a valid registration (a MAZL concern: one task at once)
concern() {
	rcli XADD 'vs:{0}:events' '*' v 1 id "c$1" student "p$1" school 01AC sector vo kind concern \
		date "$2" recorded_at "${2}T08:00:00Z" >/dev/null
}
tasks_of() { # the students of the tasks, sorted, space-separated
	rcli --raw XRANGE 'vs:{0}:tasks' - + | awk 'prev == "student" { print } { prev = $0 }' |
		sort | tr '\n' ' '
}

start_redis
config dl

# ---- 1. 5,000 fields ----
concern 1 2026-09-01
concern 2 2026-09-01
resp xadd 'vs:{0}:events' many >/dev/null
concern 3 2026-09-01
start_daemon dl
D=$LAST_PID
check "the partition goes on past an entry with 5,000 fields" wait_caught_up 30
check "the registrations around it became tasks ($(tasks_of))" test "$(tasks_of)" = "p1 p2 p3 "
check "the big entry is one dead letter" test "$(rcli XLEN 'vs:{0}:dead')" = 1
check "its fields are cut to the limit (100 of 5,000 kept)" \
	dl 0 "len([n for n in d['names'] if n.startswith('field.')]) == 100"
check "a cut field says what was cut" dl 0 "d['text'].get('cut', '').startswith('kept 100 of 5000 fields')"
check "the message says the fields were cut" dl 0 "'cut' in d['text']['message']"
check "the reason code is kept" dl 0 "d['text']['reason'] == 'unknown_field'"
concern 4 2026-09-01
ntasks() { test "$(rcli XLEN 'vs:{0}:tasks')" = "$1"; }
check "a registration after it becomes a task" wait_for 15 ntasks 4

kill -9 "$D"
wait "$D" 2>/dev/null || true

# ---- 2. names and values ----
rcli FLUSHALL >/dev/null
resp xadd 'vs:{0}:events' names >/dev/null
resp xadd 'vs:{0}:events' huge >/dev/null
start_daemon dl
D=$LAST_PID
check "names and huge values are consumed" wait_caught_up 30
check "two dead letters" test "$(rcli XLEN 'vs:{0}:dead')" = 2
check "long names alike in their first 64 bytes stay distinct" \
	dl 0 "'field.' + 'n' * 64 + 'A' in d['names'] and 'field.' + 'n' * 64 + 'B' in d['names']"
check "names cut at the name limit stay distinct" \
	dl 0 "len([n for n in d['names'] if n.startswith('field.' + 'm' * 128)]) == 2 and len(set(d['names'])) == len(d['names'])"
check "names that differ after a NUL stay distinct" \
	dl 0 "'field.z\x00one' in d['names'] and 'field.z\x00two' in d['names']"
check "a dead letter with cut names says so" dl 0 "'2 names cut to 128 bytes' in d['text'].get('cut', '')"
check "a 10 MB value is cut to 1,024 bytes" dl 1 "max(d['lens']) == 1024"
# what an operator reads: `dead list` keeps names with a NUL apart and shows
# bytes that are not UTF-8 (as \xHH) instead of dropping the field
"$VS" dead --redis "$SOCK" list >"$WORK/deadlist.jsonl" 2>/dev/null
listed() {
	"$PY" -c "import json,sys
d=[json.loads(l) for l in open(sys.argv[1])]
f=[x['fields'] for x in d if x['fields'].get('id')=='names'][0]
sys.exit(0 if ($1) else 1)" "$WORK/deadlist.jsonl"
}
check "dead list: names that differ after a NUL stay distinct" \
	listed "f.get('z\\x00one') == '5' and f.get('z\\x00two') == '6'"
check "dead list: a field that is not UTF-8 is shown escaped, not dropped" \
	listed "f.get('na\\\\xefve') == 'caf\\\\xe9'"
check "... and the dead letter says so" dl 1 "'1 value cut to 1024 bytes' in d['text'].get('cut', '')"
kill -9 "$D"
wait "$D" 2>/dev/null || true

# ---- 3. all or nothing ----
rcli FLUSHALL >/dev/null
# The daily counter of the absence's date has the wrong type: the script
# writes it last, after the states, tasks, dead letters and acks. (The
# absence comes first and is dated a day later, so the batch is not split
# by a sweep: the events clock starts the day before it.)
rcli RPUSH 'vs:{0}:daily:2026-09-03' wrong >/dev/null
rcli XADD 'vs:{0}:events' '*' v 1 id a15 student p15 school 01AC sector vo kind absent authorized no \
	date 2026-09-03 recorded_at 2026-09-03T08:00:00Z >/dev/null
for i in 11 12 13; do concern "$i" 2026-09-02; done
rcli XADD 'vs:{0}:events' '*' v 1 id bad student p14 school 01AC sector vo kind bogus \
	date 2026-09-02 recorded_at 2026-09-02T08:00:00Z >/dev/null
# (a high delivery limit: every refused commit restarts the partition, and
# part 4 shows what the limit does)
config dl2 ', "max_deliveries": 1000'
start_daemon dl2
D=$LAST_PID
check "the commit is refused" wait_for 20 grep -q "commit refused" "$WORK/dl2.log"
sleep 1
check "no pupil state was written" test "$(rcli HLEN 'vs:{0}:state')" = 0
check "no task was written" test "$(rcli XLEN 'vs:{0}:tasks')" = 0
check "no task id was recorded" test "$(rcli --scan --pattern 'vs:{0}:taskids:*' | wc -l)" = 0
check "no dead letter was written" test "$(rcli XLEN 'vs:{0}:dead')" = 0
check "nothing was applied: the committed offset has not moved" \
	test "$(rcli HGET 'vs:{0}:offset' id)" = 0-0
check "the refusal names the key's type" grep -q "WRONGTYPE" "$WORK/dl2.log"
rcli DEL 'vs:{0}:daily:2026-09-03' >/dev/null
# Restarted: recovery within one process is the lease/restart logic's test
# (the wedge tests); here the batch must commit once whatever came before.
kill -9 "$D"
wait "$D" 2>/dev/null || true
start_daemon dl2
check "after the fix the batch commits" wait_caught_up 30
check "each task exactly once ($(tasks_of))" test "$(tasks_of)" = "p11 p12 p13 "
check "one dead letter" test "$(rcli XLEN 'vs:{0}:dead')" = 1
check "nothing cut, no cut field" dl 0 "'cut' not in d['text'] and d['text']['reason'] == 'unknown_kind'"
check "four pupil states" test "$(rcli HLEN 'vs:{0}:state')" = 4
check "the day's task count is 3" test "$(rcli HGET 'vs:{0}:daily:2026-09-02' 'r:mazl')" = 3
check "the absence is counted once" test "$(rcli HGET 'vs:{0}:daily:2026-09-03' 'g:01AC')" = 1
check "nothing is left unapplied: the offset is the last entry" \
	test "$(rcli HGET 'vs:{0}:offset' id)" = "$(rcli --raw XREVRANGE 'vs:{0}:events' + - COUNT 1 | head -1)"
kill -9 "$LAST_PID"
wait "$LAST_PID" 2>/dev/null || true

# ---- 4. the delivery limit ----
rcli FLUSHALL >/dev/null
# The same batch as in 3, with a registration before the absence whose
# daily counter has the wrong type: every commit holding the absence is
# refused. After max_deliveries starts at one offset the entries go one at
# a time (the first one commits); the absence, failing alone, then goes to
# the dead letters unapplied, and the rest are applied once.
rcli RPUSH 'vs:{0}:daily:2026-09-03' wrong >/dev/null
# (recorded on the absence's day: the batch is not split by a sweep)
rcli XADD 'vs:{0}:events' '*' v 1 id c10 student p10 school 01AC sector vo kind concern \
	date 2026-09-02 recorded_at 2026-09-03T07:00:00Z >/dev/null
rcli XADD 'vs:{0}:events' '*' v 1 id a15 student p15 school 01AC sector vo kind absent authorized no \
	date 2026-09-03 recorded_at 2026-09-03T08:00:00Z >/dev/null
for i in 11 12 13; do concern "$i" 2026-09-02; done
rcli XADD 'vs:{0}:events' '*' v 1 id bad student p14 school 01AC sector vo kind bogus \
	date 2026-09-02 recorded_at 2026-09-02T08:00:00Z >/dev/null
config dl3 ', "max_deliveries": 3'
start_daemon dl3
D=$LAST_PID
check "past the delivery limit the partition catches up" wait_caught_up 60
check "each other registration's task exactly once ($(tasks_of))" test "$(tasks_of)" = "p10 p11 p12 p13 "
check "two dead letters" test "$(rcli XLEN 'vs:{0}:dead')" = 2
check "the absence is the first, for the delivery limit" \
	dl 0 "d['text']['reason'] == 'delivery_limit' and 'p15' in json.dumps(d)"
check "the bogus entry the second, for its kind" dl 1 "d['text']['reason'] == 'unknown_kind'"
check "the start count is cleared" test -z "$(rcli HGET 'vs:{0}:offset' tries)"
check "it was found one at a time after three starts" grep -q "start 3 after the same offset" "$WORK/dl3.log"
check "the counter of the wrong type is as it was" test "$(rcli TYPE 'vs:{0}:daily:2026-09-03')" = list
kill -9 "$D"
wait "$D" 2>/dev/null || true

# ---- 5. a clean restart inside the window of single entries ----
# Healthy registrations only, the offset's start count left at 2 by two
# starts that did not commit (lost leases, say): the third start reads one
# entry at a time. A clean stop in that window and a start again must not
# send the next (healthy) entry to the dead letters.
rcli FLUSHALL >/dev/null
"$VS" generate --config "$SRC/config/vroegsignaal.json" --calibration v1 --seed 7 --pupils 60 \
	>"$WORK/healthy.jsonl" 2>/dev/null
config dl5 ', "max_deliveries": 3, "batch_size": 5000'
"$VS" send --config "$WORK/dl5.json" "$WORK/healthy.jsonl" >/dev/null 2>&1
rcli HSET 'vs:{0}:offset' id 0-0 tries 2 >/dev/null
start_daemon dl5
D=$LAST_PID
single() { grep -q "reading one entry at a time" "$WORK/dl5.log"; }
check "the third start reads one entry at a time" wait_for 20 single
moved() { [ "$(rcli HGET 'vs:{0}:offset' id)" != 0-0 ]; }
check "... and commits some" wait_for 20 moved
kill -TERM "$D"
wait "$D" 2>/dev/null || true
start_daemon dl5
D=$LAST_PID
check "after a clean stop and a start the partition catches up" wait_caught_up 60
check "no healthy entry went to the dead letters ($(rcli XLEN 'vs:{0}:dead'))" \
	test "$(rcli XLEN 'vs:{0}:dead')" = 0
got=$(task_ids | sort)
want=$(replay_ids "$WORK/healthy.jsonl" | sort)
check "tasks are replay's ($(echo "$want" | grep -c .))" test "$got" = "$want"
kill -9 "$D"
wait "$D" 2>/dev/null || true
finish
