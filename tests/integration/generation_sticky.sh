#!/bin/sh
# A refusal of the Redis generation marker sticks until an operator confirms
# (generation.h). Two instances, each with its own state directory: Redis is
# rolled back to one below the higher of their two remembered counters, so
# the instance holding it refuses while the other one (whose memory is not
# above the counter) would find the marker fine and go on advancing it. The
# refusing instance writes a `refused` field into vs:generation: both refuse
# and keep refusing for more than ten seconds (two rounds of advances), also
# after both are restarted; `vroegsignaal generation confirm` lets both
# resume.
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
start_redis
mkdir "$WORK/sa" "$WORK/sb"
for n in a b; do
	config $n ", \"partitions\": 2, \"state_dir\": \"$WORK/s$n\""
	config_extend $n <<JSON
, "http": {"listen": "127.0.0.1:0"},
$(file_partners)
}
JSON
done
start_daemon a
PA=$LAST_PID
start_daemon b
PB=$LAST_PID
port() { sed -n 's/.*http: listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$WORK/$1.log" | tail -1; }
listening() { [ "$(grep -c 'http: listening on' "$WORK/$1.log")" -ge "$2" ]; }
check "instance a listens" wait_for 60 listening a 1
check "instance b listens" wait_for 60 listening b 1
metric() { curl -s "http://127.0.0.1:$(port "$1")/metrics" | awk -v m="$2" '$1 == m { print $2 }'; }
mem() { awk '$1 == "counter" { print $2 }' "$WORK/s$1/redis-generation" 2>/dev/null; }
both_remember() { [ -n "$(mem a)" ] && [ -n "$(mem b)" ] && [ "$(mem a)" -ge 2 ] && [ "$(mem b)" -ge 2 ]; }
check "both instances advanced the counter and remember it" wait_for 60 both_remember
ok0() { [ "$(metric a vs_redis_generation_mismatch)" = 0 ] && [ "$(metric b vs_redis_generation_mismatch)" = 0 ]; }
check "neither refuses" wait_for 30 ok0

# roll back to just below the higher memory: the other instance's memory is
# not above it, so only one of them notices by itself. The other one is
# paused meanwhile (SIGSTOP), so that its next advance cannot race the
# rollback; once it runs again it finds the marker fine by its counter.
lo=b; plo=$PB
if [ "$(mem b)" -gt "$(mem a)" ]; then lo=a; plo=$PA; fi
hi=a; [ "$lo" = a ] && hi=b
kill -STOP "$plo"
sleep 0.5
m=$(mem "$hi")
rcli HSET vs:generation counter $((m - 1)) >/dev/null
refusing() { [ "$(metric "$1" vs_redis_generation_mismatch)" = 1 ]; }
check "instance $hi refuses (memories $(mem a), $(mem b); counter set to $((m - 1)))" wait_for 30 refusing $hi
kill -CONT "$plo"
check "instance $lo refuses too" wait_for 30 refusing $lo
check "the refusal is written into the marker" sh -c "[ -n \"\$(redis-cli -s '$SOCK' HGET vs:generation refused)\" ]"
c0=$(rcli HGET vs:generation counter)
sleep 12
check "a still refuses after 12 s" refusing a
check "b still refuses after 12 s" refusing b
c1=$(rcli HGET vs:generation counter)
check "nobody advanced the counter meanwhile ($c0 -> $c1)" test "$c1" -eq "$c0"
check "/readyz answers 503" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$(port a)/readyz)\" = 503 ]"

# restarted: still refusing
for pid in $DAEMON_PIDS; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done
DAEMON_PIDS=
start_daemon a
start_daemon b
check "instance a restarts" wait_for 60 listening a 2
check "instance b restarts" wait_for 60 listening b 2
check "restarted, a refuses" wait_for 30 refusing a
check "restarted, b refuses" wait_for 30 refusing b
sleep 6
check "restarted, a still refuses" refusing a
check "restarted, b still refuses" refusing b

rc=0
"$VS" generation --config "$WORK/a.json" confirm >"$WORK/confirm.out" 2>&1 || rc=$?
check "generation confirm exits 0 ($rc)" test "$rc" -eq 0
resumed() { [ "$(metric "$1" vs_redis_generation_mismatch)" = 0 ]; }
check "a resumes" wait_for 30 resumed a
check "b resumes" wait_for 30 resumed b
check "the marker carries no refusal" test -z "$(rcli HGET vs:generation refused)"
check "a no longer remembers a refusal" sh -c "! grep -q '^refused' '$WORK/sa/redis-generation'"
finish
