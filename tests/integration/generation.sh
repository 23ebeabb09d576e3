#!/bin/sh
# The Redis generation marker (issue 12, item 5). A first start on an empty
# Redis writes vs:generation and remembers it under daemon.state_dir, without
# refusing. After FLUSHALL (a wiped Redis) the daemon refuses to consume and
# dispatch: one error line (not repeated within a minute), /readyz 503 with
# the reason, vs_redis_generation_mismatch 1, the status page says so, and
# registrations sent meanwhile make no task and no delivery; a restarted
# daemon still refuses (the memory is a file). `vroegsignaal generation
# confirm` lets it resume. A marker older than remembered (a rollback) is
# refused the same way.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
start_redis
mkdir "$WORK/state"
config g ", \"partitions\": 2, \"state_dir\": \"$WORK/state\""
config_extend g <<JSON
, "http": {"listen": "127.0.0.1:0"},
$(file_partners)
}
JSON
"$VS" generate --config "$SRC/config/vroegsignaal.json" --calibration v1 --seed 13 --pupils 40 \
	>"$WORK/all.jsonl" 2>/dev/null
n=$(wc -l <"$WORK/all.jsonl")
head -n $((n / 2)) "$WORK/all.jsonl" >"$WORK/first.jsonl"
tail -n +$((n / 2 + 1)) "$WORK/all.jsonl" >"$WORK/second.jsonl"

start_daemon g
D=$LAST_PID
listening() { grep -q 'http: listening on' "$WORK/g.log"; }
check "the daemon listens" wait_for 60 listening
port() { sed -n 's/.*http: listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$WORK/g.log" | tail -1; }
PORT=$(port)
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
caught_up() { "$VS" status --redis "$SOCK" --partitions 2 --wait 120 --quiet; }
deliveries() { cat "$WORK"/*.jsonl 2>/dev/null | grep -c '"event"' || true; }
ntasks() { echo $(($(rcli XLEN 'vs:{0}:tasks') + $(rcli XLEN 'vs:{1}:tasks'))); }

# ---- a first start on an empty Redis: the marker written, no refusal
"$VS" send --config "$WORK/g.json" "$WORK/first.jsonl" >/dev/null 2>&1
check "the daemon catches up with the first half" caught_up
check "tasks are made" test "$(ntasks)" -gt 0
has_deliveries() { [ "$(deliveries)" -gt 0 ]; }
check "and delivered" wait_for 30 has_deliveries
id=$(rcli HGET vs:generation id)
check "the first start wrote a marker ($id)" test -n "$id"
check "... remembered in the state directory" grep -q "^id $id\$" "$WORK/state/redis-generation"
check "vroegsignaal generation show prints it" sh -c "'$VS' generation --redis '$SOCK' show | grep -q '^id $id\$'"
check "no refusal on a first start" sh -c "! grep -q 'generation mismatch' '$WORK/g.log'"
check "vs_redis_generation_mismatch is 0" test "$(metric vs_redis_generation_mismatch)" = 0
advanced() { [ "$(rcli HGET vs:generation counter)" -ge 2 ]; }
check "the counter advances" wait_for 30 advanced

# ---- FLUSHALL: refused
settle=$(deliveries)
rcli FLUSHALL >/dev/null
refusing() { [ "$(metric vs_redis_generation_mismatch)" = 1 ]; }
check "after FLUSHALL the mismatch metric is 1" wait_for 30 refusing
code=$(curl -s -o "$WORK/ready" -w '%{http_code}' "http://127.0.0.1:$PORT/readyz")
check "/readyz answers 503 ($code)" test "$code" = 503
check "... naming the generation" grep -q 'redis generation mismatch: the marker vs:generation is gone' "$WORK/ready"
check "the status page says so" sh -c "curl -s 'http://127.0.0.1:$PORT/' | grep -q 'id=\"generation\">redis generation mismatch'"
"$VS" send --config "$WORK/g.json" "$WORK/second.jsonl" >/dev/null 2>&1
sleep 4
check "registrations sent meanwhile make no task ($(ntasks))" test "$(ntasks)" -eq 0
check "... and nothing is delivered ($settle -> $(deliveries))" test "$(deliveries)" -eq "$settle"
check "... and are left in the stream" test "$(rcli XLEN 'vs:{0}:events')" -gt 0
# the backlog's age: the oldest registration waiting, from its stream id
lag_age() { curl -s "http://127.0.0.1:$PORT/metrics" |
	awk '$1 ~ /^vs_stream_lag_seconds/ && $2 > m { m = $2 } END { print m + 0 }'; }
waiting_long() { awk -v a="$(lag_age)" 'BEGIN { exit !(a >= 5) }'; }
check "vs_stream_lag_seconds shows them waiting (>= 5 s)" wait_for 20 waiting_long
check "no marker was written over the wiped one" test -z "$(rcli HGET vs:generation id)"
nerr=$(grep -c 'redis generation mismatch: the marker vs:generation is gone' "$WORK/g.log")
check "one error line (not one a second: $nerr)" test "$nerr" -eq 1

# a restarted daemon still refuses: the memory is in the state directory
kill -TERM "$D"; wait "$D" 2>/dev/null || true
start_daemon g
D=$LAST_PID
relistening() { [ "$(grep -c 'http: listening on' "$WORK/g.log")" -ge 2 ]; }
check "the daemon restarts" wait_for 60 relistening
PORT=$(port)
check "... and still refuses" wait_for 30 refusing
sleep 2
check "... making no task ($(ntasks))" test "$(ntasks)" -eq 0

# ---- confirmed: resumes
rc=0
"$VS" generation --config "$WORK/g.json" confirm >"$WORK/confirm.out" 2>&1 || rc=$?
check "generation confirm exits 0 ($rc)" test "$rc" -eq 0
check "... and says so" grep -q '^generation confirmed: new marker' "$WORK/confirm.out"
resumed() { [ "$(metric vs_redis_generation_mismatch)" = 0 ]; }
check "the daemon resumes" wait_for 30 resumed
check "the daemon catches up with what was sent meanwhile" caught_up
none_waiting() { [ "$(lag_age)" = 0 ]; }
check "... after which vs_stream_lag_seconds is 0" wait_for 15 none_waiting
check "tasks are made again ($(ntasks))" test "$(ntasks)" -gt 0
more() { [ "$(deliveries)" -gt "$settle" ]; }
check "and delivered" wait_for 30 more
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/readyz")
check "/readyz answers 200 again ($code)" test "$code" = 200
newid=$(rcli HGET vs:generation id)
check "the confirmed marker is remembered" wait_for 10 grep -q "^id $newid\$" "$WORK/state/redis-generation"

# ---- a rollback: the marker older than remembered
check "the counter advances under the new marker" wait_for 30 advanced
rcli HSET vs:generation counter 0 >/dev/null
check "a marker older than remembered is refused" wait_for 30 refusing
check "... saying it was rolled back" grep -q 'generation mismatch: the marker vs:generation is older than remembered' "$WORK/g.log"
"$VS" generation --config "$WORK/g.json" confirm >/dev/null 2>&1
check "confirmed, it resumes" wait_for 30 resumed
finish
