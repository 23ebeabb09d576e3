#!/bin/sh
# redis.min_replicas (issue 12, item 3): a master and a replica started here
# (the replica with --replicaof on a private TCP port). With the replica up
# everything flows. With the replica frozen (SIGSTOP) and min_replicas 1,
# WAIT finds too few replicas, so every write that commits work has an
# unknown outcome: nothing is delivered, an API acknowledgement gets 503,
# `send` reports its lines not stored (exit 5), the shortfall metric counts.
# Once the replica is back everything completes: tasks exactly replay's, each
# delivered to each of its partners, repeats only of the same delivery.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
MPORT=$(free_port)
RPORT=$(free_port)
start_redis --port "$MPORT" --bind 127.0.0.1 --repl-diskless-sync-delay 0
mkdir "$WORK/replica"
redis-server --port "$RPORT" --bind 127.0.0.1 --replicaof 127.0.0.1 "$MPORT" --dir "$WORK/replica" \
	--save '' --appendonly no --daemonize no --logfile "$WORK/replica.log" &
REPLICA_PID=$!
PEER_PIDS="$PEER_PIDS $REPLICA_PID"
# the replica confirms a write (WAIT): online, and streaming from the master
replica_confirms() { [ "$(printf 'SET vs:test:probe 1\nWAIT 1 300\n' | rcli | tail -1)" = 1 ]; }
check "the replica confirms writes" wait_for 30 replica_confirms
rcli DEL vs:test:probe >/dev/null

printf 'token-school-0123456789abcdef\n' >"$WORK/school.token"
config d ', "partitions": 2'
sed -i 's/"connect_timeout_ms": 1000}/"connect_timeout_ms": 1000, "min_replicas": 1, "wait_timeout_ms": 1000}/' "$WORK/d.json"
config_extend d <<JSON
, "http": {"listen": "127.0.0.1:0", "rate_per_s": 1000, "burst": 1000},
$(file_partners | sed "s|\"id\": \"school\", \"role\": \"school\", \"schools\": \[\"\*\"\],|&\n     \"token_file\": \"$WORK/school.token\",|")
}
JSON
"$VS" generate --config "$SRC/config/vroegsignaal.json" --calibration v1 --seed 12 --pupils 60 \
	>"$WORK/all.jsonl" 2>/dev/null
n=$(wc -l <"$WORK/all.jsonl")
head -n $((n / 2)) "$WORK/all.jsonl" >"$WORK/first.jsonl"
tail -n +$((n / 2 + 1)) "$WORK/all.jsonl" >"$WORK/second.jsonl"

start_daemon d
listening() { grep -q 'http: listening on' "$WORK/d.log"; }
check "the daemon listens" wait_for 60 listening
PORT=$(sed -n 's/.*http: listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$WORK/d.log" | head -1)
TOKEN=$(cat "$WORK/school.token")
ack() { # task-id: the status, the body in $WORK/ack.body
	curl -s -o "$WORK/ack.body" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/json' -d '{"outcome": "planned"}' \
		"http://127.0.0.1:$PORT/v1/tasks/$1/ack"
}
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
deliveries() { cat "$WORK"/school.jsonl "$WORK"/swv.jsonl "$WORK"/leerplicht.jsonl "$WORK"/rmc.jsonl \
	"$WORK"/esc.jsonl 2>/dev/null | wc -l; }
tasks_all() { for p in 0 1; do rcli --raw XRANGE "vs:{$p}:tasks" - + | awk 'prev == "id" { print } { prev = $0 }'; done; }

# ---- the replica up: everything flows
rc=0
"$VS" send --config "$WORK/d.json" "$WORK/first.jsonl" >/dev/null 2>"$WORK/send1.err" || rc=$?
check "send with the replica up: exit 0 ($rc)" test "$rc" -eq 0
check "... every line stored" grep -q "^send: $((n / 2)) lines, $((n / 2)) sent" "$WORK/send1.err"
check "the daemon catches up with the first half" "$VS" status --redis "$SOCK" --partitions 2 --wait 120 --quiet
# the first task (an update of a case may arrive before its task:
# docs/partners.md 4.4, and an update is acknowledged through its task)
has_school() { grep -q '"event":"task"' "$WORK/school.jsonl" 2>/dev/null; }
check "tasks are delivered with the replica up" wait_for 60 has_school
T1=$(grep '"event":"task"' "$WORK/school.jsonl" | head -1 | $PY -c 'import json,sys; print(json.load(sys.stdin)["id"])')
code=$(ack "$T1")
check "an acknowledgement with the replica up: 200 ($code)" test "$code" = 200
check "no WAIT shortfall so far" test "$(metric vs_redis_wait_shortfalls_total)" = 0
check "the min_replicas gauge says 1" test "$(metric vs_redis_min_replicas)" = 1
# let in-flight results settle before freezing the replica
sleep 1

# ---- the replica frozen: nothing counts
kill -STOP "$REPLICA_PID"
sleep 0.5
before=$(deliveries)
rc=0
"$VS" send --config "$WORK/d.json" "$WORK/second.jsonl" >/dev/null 2>"$WORK/send2.err" || rc=$?
check "send with the replica frozen: exit 5 ($rc)" test "$rc" -eq 5
check "... saying the lines are not stored" grep -q "line(s) not stored: redis accepted them but fewer than 1 replica" "$WORK/send2.err"
check "... and none reported sent" grep -q "lines, 0 sent" "$WORK/send2.err"
# the second task delivered (an update is acknowledged through its case's task: 409)
T2=$(grep '"event":"task"' "$WORK/school.jsonl" | sed -n 2p | $PY -c 'import json,sys; print(json.load(sys.stdin)["id"])')
code=$(ack "$T2")
check "an acknowledgement with the replica frozen: 503 ($code)" test "$code" = 503
check "... with a JSON error body" $PY -c "import json; b=json.load(open('$WORK/ack.body')); assert 'min_replicas' in b['error']"
sleep 6
during=$(deliveries)
check "nothing is delivered while the replica is frozen ($before -> $during)" test "$during" -eq "$before"
short=$(metric vs_redis_wait_shortfalls_total)
check "the shortfall metric counts ($short)" test "${short:-0}" -gt 0
check "the shortfall is logged" grep -q "WAIT: 0 of 1 replica(s) confirmed" "$WORK/d.log"
code=$(curl -s -o "$WORK/ready" -w '%{http_code}' "http://127.0.0.1:$PORT/readyz")
check "/readyz answers 503 ($code) naming the replicas" grep -q 'too few redis replicas confirm writes' "$WORK/ready"
check "the status page says so" sh -c "curl -s 'http://127.0.0.1:$PORT/' | grep -q 'id=\"replicas\">fewer than 1 Redis replica'"

# ---- the replica back: everything completes
kill -CONT "$REPLICA_PID"
check "the daemon catches up with the second half" "$VS" status --redis "$SOCK" --partitions 2 --wait 120 --quiet
tasks_all | sort >"$WORK/tasks"
replay_ids "$WORK/all.jsonl" | sort >"$WORK/replay"
check "no task id twice" test -z "$(uniq -d "$WORK/tasks")"
check "tasks are exactly replay's ($(wc -l <"$WORK/tasks") of $(wc -l <"$WORK/replay"))" cmp -s "$WORK/tasks" "$WORK/replay"
# each task's own delivery (not a reminder) to each of its roles (the partner of
# role escalation is esc, the others are named as their role)
for p in 0 1; do rcli --raw XRANGE "vs:{$p}:tasks" - + ; done | awk '
	prev == "id" { id = $0 } prev == "roles" { n = split($0, r, ","); for (i = 1; i <= n; i++) print id, r[i] }
	{ prev = $0 }' | sort >"$WORK/expected"
delivered() {
	for fr in school:school swv:swv leerplicht:leerplicht rmc:rmc esc:escalation; do
		f=${fr%%:*}
		[ -f "$WORK/$f.jsonl" ] || continue
		$PY -c "import json,sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d['event'] in ('task', 'update'): print(d['id'], sys.argv[2])" "$WORK/$f.jsonl" "${fr#*:}"
	done | sort -u >"$WORK/delivered"
	cmp -s "$WORK/delivered" "$WORK/expected"
}
check "every task reaches each of its partners ($(wc -l <"$WORK/expected") deliveries)" wait_for 90 delivered
# a repeat is only the same delivery again (same task, event and partner:
# the same idempotency key), never two different lines for one key
for f in school swv leerplicht rmc esc; do
	[ -f "$WORK/$f.jsonl" ] || continue
	$PY -c "import json,sys
for l in open(sys.argv[1]):
    d = json.loads(l); print(sys.argv[2], d['id'], d['event'], len(l))" "$WORK/$f.jsonl" "$f"
done | sort | uniq >"$WORK/keys"
check "repeats are only of the same delivery" test -z "$(awk '{ print $1, $2, $3 }' "$WORK/keys" | uniq -d)"
code=$(ack "$T2")
check "the acknowledgement sent again with the replica back: 200 ($code)" test "$code" = 200
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/readyz")
check "/readyz answers 200 again ($code)" test "$code" = 200
rc=0
"$VS" send --config "$WORK/d.json" --min-replicas 0 /dev/null >/dev/null 2>&1 || rc=$?
check "send --min-replicas 0 is accepted" test "$rc" -eq 0
finish
