#!/bin/sh
# Failover on Redis Sentinel under a steady load from `send`: a master, a
# replica and three sentinels on loopback (tests/integration/failover_lib.sh).
# Four faults in turn: the planned failover of docs/operations.md (writes
# paused, then SENTINEL FAILOVER; checked: none of the registrations `send`
# reported stored so far is lost); kill -9 of the master; the killed
# master restarted on its port (it comes back as a master of stale data
# until the sentinels make it a replica); the master refusing writes with
# NOREPLICAS for 3 s. The daemon and every `send` find
# the master through the sentinels. Checks: processing resumes after each
# fault, no READONLY loop, the tasks are exactly those of a replay of the
# registrations Redis kept (none twice, none missing), and a task delivered
# more than once always carries the same Idempotency-Key. The registrations
# `send` reported stored but lost are printed (Redis replication is
# asynchronous: without min_replicas a few may be lost; bench/failover.sh
# measures them). A bare SENTINEL FAILOVER (FAULTS=planned) is not in the
# default list: it loses writes, and when one of them is an advance of the
# generation marker the daemon rightly stops until an operator confirms.
#   failover.sh BIN SRC        (the test)
# bench/failover.sh runs it with, in the environment: PUPILS, SLICES, PAUSE (s
# between slices), FAULTS (a list of paused, planned, kill, restart,
# noreplicas; restart needs kill before it), REPLICAS, MIN_REPLICAS, and DAEMON_REDIS (more members of
# the daemon's "redis" object, such as the minimum of replicas to wait for).
BIN=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
. "$SRC/tests/integration/failover_lib.sh"
"$VS" generate --config "$SRC/config/vroegsignaal.json" --seed "${SEED:-23}" --pupils "${PUPILS:-300}" \
	>"$WORK/events.jsonl" 2>/dev/null
split -n "l/${SLICES:-60}" -d -a 3 "$WORK/events.jsonl" "$WORK/slice."
start_servers
start_sentinels
wait_for 30 sentinels_ready || { not_ok "the sentinels did not settle"; finish; exit 1; }
echo "failover-test-secret-0123456789" >"$WORK/secret"
start_webhook wh --secret-file "$WORK/secret"
cat >"$WORK/d.json" <<JSON
{
  "calendar": "$SRC/config/calendars/noord-2026-2027.json",
  "ids": {"secret_file": "$IDS_SECRET"},
  "redis": {$(sentinel_redis_json)${DAEMON_REDIS:-}},
  "daemon": {"consumer": "d", "sweep_clock": "events", "block_ms": 100, "batch_size": 50,
             "lease_ms": 2000, "claim_idle_ms": 500, "trim_interval_s": 1,
             "events_retention_hours": 1000},
  "partners": [
    $(webhook_school 8 2000),
$(file_partners_but_school)
  ]
}
JSON
start_daemon d
D=$LAST_PID
sleep 0.5
kill -0 "$D" 2>/dev/null || { not_ok "the daemon did not start"; finish; exit 1; }
LOAD_T0=$(now_ms)
start_load "$WORK/d.json" "$WORK/slice" "${PAUSE:-0.4}"
consuming() { [ "$(processed)" -gt 0 ]; }
wait_for 30 consuming || echo "the daemon consumed nothing in 30 s"

# fault NAME MOVES SETTLED COMMAND...: waits for SETTLED, then makes a fault;
# MOVES=1 when the master moves
fault() {
	what=$1 moves=$2 settled=$3; shift 3
	wait_for 30 "$settled" || echo "before '$what': the sentinels had not settled"
	base=$(processed)
	old=""
	[ "$moves" -eq 1 ] && old=$(master_port)
	t0=$(now_ms)
	"$@"
	ms=$(resumed_after "$t0" "$base" "$old")
	echo "$what: processing resumed after $ms ms (master now :$(master_port))"
	check "$what: processing resumes within 20 s" test "$ms" != never -a "${ms%never}" -le 20000 2>/dev/null
}
planned() { scli SENTINEL FAILOVER "$MASTER_NAME" >/dev/null; }
# lost_now: of the registrations `send` has reported stored so far, how many
# the current master lacks (the finished slices are copied first, so that a
# slice finishing meanwhile is not counted against a snapshot taken before it)
lost_now() {
	rm -rf "$WORK/snap"
	mkdir "$WORK/snap"
	for ln_rc in "$WORK"/slice.*.rc; do
		[ -f "$ln_rc" ] || continue
		ln_s=${ln_rc%.rc}
		cp "$ln_s" "$ln_s.rc" "$ln_s.err" "$WORK/snap/"
	done
	kept_events >"$WORK/snap/kept.jsonl"
	set -- $(load_figures "$WORK/snap/slice" "$WORK/snap/kept.jsonl")
	echo "$2 of $1"
}
kill_master() { KILLED=$(name_of_port "$(master_port)"); kill_server "$KILLED"; }
restart_killed() { start_server "$KILLED"; }
# settled for NOREPLICAS: a master is named and the daemon's connections have
# been up for 2 s (a refusal within 2 s of a connection's READY continues the
# previous episode in daemon/rconn.c, which then logs no new warning)
master_named_2s() { master_named || return 1; sleep 2.5; }
# the master refuses writes (NOREPLICAS) for 3 s, as when its replicas are away
noreplicas() {
	nr_port=$(master_port)
	redis-cli -p "$nr_port" CONFIG SET min-replicas-to-write 5 >/dev/null
	sleep 3
	redis-cli -p "$nr_port" CONFIG SET min-replicas-to-write "${MIN_REPLICAS:-0}" >/dev/null
}

for f in ${FAULTS:-paused kill restart noreplicas}; do
	case $f in
	planned) fault "SENTINEL FAILOVER" 1 sentinels_ready planned ;;
	paused)
		fault "planned failover, writes paused" 1 sentinels_ready planned_paused
		set -- $(lost_now)
		check "planned failover, writes paused: none of the $3 registrations reported stored so far lost ($1 lost)" \
			test "$1" -eq 0 ;;
	kill) fault "kill -9 of the master" 1 sentinels_ready kill_master ;;
	restart) fault "the killed master restarted on its port" 0 master_named restart_killed ;;
	noreplicas) fault "NOREPLICAS for 3 s" 0 master_named_2s noreplicas ;;
	esac
done
wait "$SENDER"
echo "load: $(wc -l <"$WORK/events.jsonl") registrations in $((($(now_ms) - LOAD_T0) / 1000)) s"
check "the daemon survived" kill -0 "$D"
check "the daemon catches up (status through the sentinels)" \
	"$VS" status --config "$WORK/d.json" --wait 60 --quiet
kept_events >"$WORK/kept.jsonl"
mcli --raw XRANGE 'vs:{0}:tasks' - + | awk 'prev == "id" { print } { prev = $0 }' >"$WORK/tasks"
replay_ids "$WORK/kept.jsonl" | sort >"$WORK/replay"
sort "$WORK/tasks" >"$WORK/tasks.sorted"
check "no task twice" test -z "$(sort "$WORK/tasks" | uniq -d)"
check "tasks are exactly a replay of the $(wc -l <"$WORK/kept.jsonl") registrations Redis kept ($(wc -l <"$WORK/replay") tasks)" \
	cmp -s "$WORK/tasks.sorted" "$WORK/replay"
echo "tasks: $(wc -l <"$WORK/tasks") in Redis, $(sort "$WORK/tasks" | uniq -d | wc -l) twice," \
	"$(comm -23 "$WORK/tasks.sorted" "$WORK/replay" | wc -l) only in the daemon," \
	"$(comm -13 "$WORK/tasks.sorted" "$WORK/replay" | wc -l) only in replay"
readonly_lines=$(grep -c READONLY "$WORK/d.log" || true)
check "no READONLY loop ($readonly_lines READONLY lines in the log)" test "$readonly_lines" -le 12
check "no lease request refused by a replica" sh -c "! grep -q 'lease request refused' '$WORK/d.log'"
case " ${FAULTS:-noreplicas} " in *" noreplicas "*)
	nr_lines=$(grep -c "NOREPLICAS.*asking the sentinels" "$WORK/d.log" || true)
	# one per connection and episode; a reconnect every 100 ms would log ~25
	check "NOREPLICAS: the daemon asked the sentinels again, backing off ($nr_lines warnings)" \
		test "$nr_lines" -ge 1 -a "$nr_lines" -le 6 ;;
esac
case " ${FAULTS:-planned} " in *" planned "* | *" paused "* | *" kill "*)
	check "the daemon followed +switch-master" grep -q "the sentinels switched master" "$WORK/d.log" ;;
esac
set -- $(load_figures "$WORK/slice" "$WORK/kept.jsonl")
echo "send reported $1 registrations stored; $2 of them lost; $3 sent without a reply"
set -- $(delivery_figures "$WORK/wh.jsonl" "$WORK/tasks")
echo "deliveries: $1 answered 200, $2 repeated a key, $4 of tasks no longer in Redis"
check "a repeated delivery carries the same Idempotency-Key (bad keys: $3)" test "$3" -eq 0
# a clean stop, so that a sanitizer build reports leaks and errors in the log
kill -TERM "$D"
stopped() { ! kill -0 "$D" 2>/dev/null; }
check "the daemon stops on SIGTERM" wait_for 20 stopped
check "no sanitizer report (daemon, send)" \
	sh -c "! grep -q 'Sanitizer\|runtime error' '$WORK/d.log' '$WORK'/slice.*.err"
finish
