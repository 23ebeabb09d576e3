#!/bin/sh
# Delivery benchmark (issue 4): deliveries/s from vroegsignaald to a local
# plain-HTTP webhook receiver, and the latency from task entry (the task's
# created_at, stamped by the daemon when the rules raise the signal) to the
# request's arrival at the receiver.
#
#   sh bench/deliveries.sh [PUPILS] [SEED] [RUNS] [MAX_IN_FLIGHT] [POLL_MS]
#                                              (defaults 3000 3 3 default 50;
#                                               MAX_IN_FLIGHT default: the key left out)
#
# Each run: a fresh redis-server (unix socket in a temporary directory, AOF
# on, appendfsync everysec, as bench/daemon.sh), a fresh bench/webhook_sink
# (libevent evhttp on 127.0.0.1, answers 200, logs arrival ms, created_at,
# path and Idempotency-Key), and a fresh daemon with one webhook partner per
# role (school, jeugdarts, leerplicht, rmc, swv, wij, escalation), all
# schools, url http://127.0.0.1:PORT/<role>, max_in_flight MAX_IN_FLIGHT,
# "dispatch": {"poll_ms": POLL_MS}. Then `vroegsignaal generate --seed SEED
# --pupils PUPILS | vroegsignaal send`: the daemon creates the tasks as it
# consumes and dispatches them meanwhile. The run ends when the receiver has
# one request per (task, role) of the tasks stream, or after 300 s.
#
# Reported per run: tasks, expected deliveries (sum of the tasks' roles),
# requests received, distinct (path, Idempotency-Key), repeats; deliveries/s
# over the steady part (the 10th to the 90th percentile of the arrivals) and
# over everything (first to last arrival); p50/p99/max of arrival − created_at;
# daemon and redis CPU (redis: from the daemon's start), Redis' EVALSHA
# calls and time (commandstats, reset when the daemon starts). Then the medians over RUNS runs.
#   KEEP_WORK=1  keep the work directory (the receiver's log: sink-N.txt)
#   MONITOR=1    count the commands the daemon sends (redis-cli MONITOR; slows Redis)
#   SLOWLOG=1    Redis time per script (every command in the slow log)
#   PERF=1       perf record -g of the daemon (with KEEP_WORK=1)
#   PERF_REDIS=1 perf record -g of redis-server from the daemon's start (with KEEP_WORK=1)
#   TIMEOUT=300  seconds to wait for the deliveries
#   DRAIN=1      dispatch capacity without the rules competing: a daemon
#                WITHOUT partners consumes everything first (the tasks stream
#                is then complete), it is stopped, and the clock starts with
#                the daemon with the partners (its dispatcher group reads the
#                tasks stream from 0). The latency is then meaningless (it
#                includes the ingest); the deliveries/s are the figure.
set -eu
cd "$(dirname "$0")/.."
pupils=${1:-3000}
seed=${2:-3}
runs=${3:-3}
mif=${4:-default}
poll=${5:-50}
drain=${DRAIN:-0}
B=build-bench
cmake -S . -B $B -DCMAKE_BUILD_TYPE=Release -DVS_TESTS=OFF >/dev/null
make -C $B -j2 >/dev/null
# shellcheck disable=SC2046
cc -O2 -Wall -Wextra -o $B/webhook_sink bench/webhook_sink.c $(pkg-config --cflags --libs libevent)
VS=$B/vroegsignaal
VSD=$B/vroegsignaald
. bench/lib.sh
SINK_PID=""
# shellcheck disable=SC2154
trap 'for pid in $SINK_PID; do kill -9 "$pid" 2>/dev/null || true; done; bench_cleanup' EXIT

echo "input: vroegsignaal generate --config config/vroegsignaal.json --seed $seed --pupils $pupils | vroegsignaal send"
bench_header
[ "$drain" = 1 ] && echo "DRAIN=1: the tasks stream is filled first; the latency figures include that and mean nothing"
echo "redis: $(redis-server --version | cut -d' ' -f3), unix socket, appendonly yes, appendfsync everysec; partners: 7 webhooks (one per role), http://127.0.0.1, max_in_flight $mif, poll_ms $poll"

printf 'whsec-bench-0123456789abcdef\n' >"$WORK/wh.secret"
now_ms() { date +%s%3N; }
passive_opens() { awk '$1 == "Tcp:" && !h { for (i = 1; i <= NF; i++) if ($i == "PassiveOpens") c = i; h = 1; next } $1 == "Tcp:" { print $c }' /proc/net/snmp; }

# The bench configuration plus the partners: $WORK/d.json.
write_config() {
	port=$1
	sed '$ d' "$WORK/bench.json" >"$WORK/d.json"
	{
		# the flood guard off: the generated region has school days with
		# more tasks than its default limit, and those would be held
		printf ', "operations": {"flood": {"max_tasks_per_school_day": 0}},\n'
		printf '  "dispatch": {"poll_ms": %d},\n  "partners": [\n' "$poll"
		sep=""
		for role in school jeugdarts leerplicht rmc swv wij escalation; do
			if [ "$mif" = default ]; then mifkey=""; else mifkey=" \"max_in_flight\": $mif,"; fi
			printf '%s    {"id": "bench-%s", "role": "%s", "schools": ["*"],%s\n' "$sep" "$role" "$role" "$mifkey"
			printf '     "connector": {"type": "webhook", "url": "http://127.0.0.1:%s/%s", "secret_file": "%s"},\n' "$port" "$role" "$WORK/wh.secret"
			printf '     "legal_basis": "bench"}'
			sep=",
"
		done
		printf '\n  ]\n}\n'
	} >>"$WORK/d.json"
}

# expected deliveries: the number of roles over all entries of the tasks stream
expected() {
	rcli --raw XRANGE 'vs:{0}:tasks' - + | awk '
		prev == "roles" { n += split($0, a, ",") } prev == "id" { t++ } { prev = $0 }
		END { print t + 0, n + 0 }'
}

ingest() {
	$VS generate --config config/vroegsignaal.json --seed "$seed" --pupils "$pupils" 2>/dev/null |
		$VS send --config "$WORK/bench.json" >/dev/null 2>"$WORK/send.log"
	$VS status --redis "$SOCK" --wait 600 --quiet
}

: >"$WORK/runs.txt"
run=1
while [ "$run" -le "$runs" ]; do
	bench_start_redis
	rm -f "$WORK/sink.port"
	$B/webhook_sink "$WORK/sink.port" "$WORK/sink-$run.txt" &
	SINK_PID=$!
	i=0
	until [ -s "$WORK/sink.port" ]; do
		i=$((i + 1)); [ $i -gt 200 ] && { echo "the receiver did not start"; exit 1; }
		sleep 0.05
	done
	write_config "$(cat "$WORK/sink.port")"
	$VSD --config "$WORK/d.json" --check >/dev/null || { $VSD --config "$WORK/d.json" --check; exit 1; }
	if [ "$drain" = 1 ]; then
		# DRAIN=1: the tasks first, by a daemon without partners; then the
		# daemon with the partners starts and the dispatcher drains the stream
		$VSD --config "$WORK/bench.json" >"$WORK/daemon-$run-ingest.log" 2>&1 &
		DAEMON_PID=$!
		ingest
		kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=""
		# That daemon's dispatcher ran too (without partners: every task
		# accepted as unrouted). Undo what it did, so that the daemon with
		# the partners accepts every task entry from 0 again.
		rcli XGROUP DESTROY 'vs:{0}:tasks' dispatch >/dev/null
		for pat in 'vs:{0}:task:*' 'vs:{0}:case*' 'vs:{0}:outbox:*' 'vs:{0}:undeliverable:*' \
			'vs:{0}:audit' 'vs:{0}:due' 'vs:{0}:quarantine*'; do
			rcli --scan --pattern "$pat" | xargs -r -n 500 redis-cli -s "$SOCK" DEL >/dev/null
		done
	fi
	rcli CONFIG RESETSTAT >/dev/null
	rc0=$(cpu_ticks "$REDIS_PID")
	po0=$(passive_opens)
	MON_PID=""
	if [ -n "${SLOWLOG:-}" ]; then
		rcli CONFIG SET slowlog-log-slower-than 0 >/dev/null
		rcli CONFIG SET slowlog-max-len 200000 >/dev/null
		rcli SLOWLOG RESET >/dev/null
	fi
	if [ -n "${MONITOR:-}" ]; then
		rcli MONITOR >"$WORK/monitor-$run.txt" 2>/dev/null &
		MON_PID=$!
	fi
	t0=$(now_ms)
	$VSD --config "$WORK/d.json" >"$WORK/daemon-$run.log" 2>&1 &
	DAEMON_PID=$!
	if [ -n "${PERF:-}" ]; then
		perf record -F 999 -g -p "$DAEMON_PID" -o "$WORK/perf-$run.data" >/dev/null 2>&1 &
		perf_pid=$!
	fi
	if [ -n "${PERF_REDIS:-}" ]; then
		perf record -F 1999 -g -p "$REDIS_PID" -o "$WORK/perf-redis-$run.data" >/dev/null 2>&1 &
		perf_redis_pid=$!
	fi
	[ "$drain" = 1 ] || ingest
	t1=$(now_ms)
	# shellcheck disable=SC2046
	set -- $(expected)
	tasks=$1 want=$2
	# the receiver flushes its log every 100 ms; wait for every delivery
	deadline=$(($(date +%s) + ${TIMEOUT:-300}))
	while :; do
		got=$(wc -l <"$WORK/sink-$run.txt")
		[ "$got" -ge "$want" ] && break
		[ "$(date +%s)" -ge "$deadline" ] && { echo "run $run: timed out with $got of $want deliveries"; break; }
		sleep 0.2
	done
	sleep 0.5 # anything arriving twice late
	# shellcheck disable=SC2046
	set -- $(expected)
	tasks=$1 want=$2
	po1=$(passive_opens)
	dcpu=$(cpu_ticks "$DAEMON_PID") rcpu=$(($(cpu_ticks "$REDIS_PID") - rc0))
	# Redis' own account of the scripts (ACCEPT, TAKE, RESULT, DUE; with the
	# rules' commits too unless DRAIN=1)
	rcli INFO commandstats | tr -d '\r' | sed -n 's/^cmdstat_evalsha:calls=\([0-9]*\),usec=\([0-9]*\),.*/\1 \2/p' >"$WORK/evalsha"
	if [ -n "$MON_PID" ]; then
		kill "$MON_PID"; wait "$MON_PID" 2>/dev/null || true
		echo "       commands seen by MONITOR (scripts told apart by their second key):"
		awk '$3 == "lua]" { inner++; next } { c = $4; gsub(/"/, "", c); c = tolower(c)
			if (c == "evalsha") { k = $8; gsub(/"/, "", k); sub(/^vs:\{[0-9]+\}:/, "", k); sub(/:.*/, "", k)
				c = k == "outbox" ? "TAKE" : k == "audit" ? "RESULT" : k == "tasks" ? "ACCEPT" : k == "due" ? "DUE" : "evalsha " k }
			n[c]++ }
			END { for (c in n) printf "         %-12s %d\n", c, n[c]; printf "         %-12s %d\n", "in-scripts", inner }' "$WORK/monitor-$run.txt" | sort -k2 -nr | head -12
	fi
	if [ -n "${SLOWLOG:-}" ]; then
		# every command's time (the slow log at 0 us)
		echo "       redis time per script (slow log, us: calls, total, per call):"
		rcli --raw SLOWLOG GET 200000 | awk '
			$0 == "EVALSHA" { want = 4; d = prev; next }
			want && --want == 0 { k = $0; sub(/^vs:\{[0-9]+\}:/, "", k); sub(/:.*/, "", k)
				c = k == "outbox" ? "TAKE" : k == "audit" ? "RESULT" : k == "tasks" ? "ACCEPT" : k == "due" ? "DUE" : k
				n[c]++; t[c] += d }
			{ prev = $0 }
			END { for (c in n) printf "         %-8s %6d %9d %7.1f\n", c, n[c], t[c], t[c] / n[c] }'
	fi
	if [ -n "${PERF:-}" ]; then
		kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true; perf_pid=""
		echo "       daemon profile: perf report -i $WORK/perf-$run.data (KEEP_WORK=1 keeps it)"
	fi
	if [ -n "${PERF_REDIS:-}" ]; then
		kill -INT "$perf_redis_pid"; wait "$perf_redis_pid" 2>/dev/null || true; perf_redis_pid=""
		echo "       redis profile: perf report -i $WORK/perf-redis-$run.data (KEEP_WORK=1 keeps it)"
	fi
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=""
	kill -TERM "$SINK_PID"; wait "$SINK_PID" || true; SINK_PID=""
	rcli SHUTDOWN NOSAVE >/dev/null 2>&1 || true
	wait "$REDIS_PID" 2>/dev/null || true
	REDIS_PID=""
	awk '{print $1 - $2}' "$WORK/sink-$run.txt" | sort -n >"$WORK/lat-$run.txt"
	cut -d' ' -f1 "$WORK/sink-$run.txt" | sort -n >"$WORK/arr-$run.txt"
	got=$(wc -l <"$WORK/sink-$run.txt")
	distinct=$(awk '{print $3, $4}' "$WORK/sink-$run.txt" | sort -u | wc -l)
	nocreated=$(awk '$2 < 0' "$WORK/sink-$run.txt" | wc -l)
	first_created=$(awk '$2 >= 0 {print $2}' "$WORK/sink-$run.txt" | sort -n | head -1)
	last_created=$(awk '$2 >= 0 {print $2}' "$WORK/sink-$run.txt" | sort -n | tail -1)
	line=$(awk -v n="$got" -v t0="$t0" -v t1="$t1" -v fc="$first_created" -v lc="$last_created" '
		NR == FNR { a[FNR] = $1; next } { l[FNR] = $1 }
		function q(arr, p) { i = int(p * n + 0.5); if (i < 1) i = 1; if (i > n) i = n; return arr[i] }
		END {
			lo = q(a, 0.10); hi = q(a, 0.90)
			steady = (hi > lo) ? (int(0.9 * n + 0.5) - int(0.1 * n + 0.5)) * 1000 / (hi - lo) : 0
			all = (a[n] > a[1]) ? n * 1000 / (a[n] - a[1]) : 0
			printf "%.0f %.0f %d %d %d %.3f %.3f %.3f %.3f\n", steady, all, q(l, 0.50), q(l, 0.99), l[n],
				(t1 - t0) / 1000, (lc - fc) / 1000, (a[n] - a[1]) / 1000, (a[1] - fc) / 1000
		}' "$WORK/arr-$run.txt" "$WORK/lat-$run.txt")
	# shellcheck disable=SC2086
	set -- $line
	echo "$line $tasks $want $got $distinct $((got - distinct)) $(echo "$dcpu $rcpu" | awk -v tk="$TICK" '{printf "%.2f %.2f", $1 / tk, $2 / tk}')" >>"$WORK/runs.txt"
	echo "run $run: $tasks tasks, $want deliveries expected, $got received, $distinct distinct (path, Idempotency-Key), $((got - distinct)) repeats, $nocreated without created_at"
	echo "       deliveries/s: $1 steady (10th-90th percentile of arrivals), $2 first to last; latency created_at -> arrival: p50 $3 ms, p99 $4 ms, max $5 ms"
	echo "       status --wait returned $6 s after the daemon started; tasks created over $7 s; arrivals over $8 s, first $9 s after the first task; cpu daemon $(tail -1 "$WORK/runs.txt" | cut -d' ' -f15) s, redis $(tail -1 "$WORK/runs.txt" | cut -d' ' -f16) s"
	read -r ecalls eusec <"$WORK/evalsha" || { ecalls=0 eusec=0; }
	echo "       TCP connections accepted on this machine meanwhile (the receiver's, and anything else's): $((po1 - po0))"
	echo "       redis EVALSHA: $ecalls calls, $eusec us in all ($(awk -v c="$ecalls" -v u="$eusec" -v g="$got" 'BEGIN {printf "%.0f us per call, %.0f us per delivery", c ? u / c : 0, g ? u / g : 0}'))"
	run=$((run + 1))
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
col() { cut -d' ' -f"$1" "$WORK/runs.txt" | median; }
echo "median of $runs: $(col 1) deliveries/s steady, $(col 2) first to last; latency p50 $(col 3) ms, p99 $(col 4) ms, max $(col 5) ms; tasks $(col 10), deliveries $(col 12) of $(col 11) expected, repeats (max) $(cut -d' ' -f14 "$WORK/runs.txt" | sort -n | tail -1); cpu daemon $(col 15) s, redis $(col 16) s"
