#!/bin/sh
# Redis memory benchmark (issue 15, item 4): bytes per pupil (state records)
# and bytes per task (every kind of key a task creates), measured on a fresh
# Redis after the benchmark region went through the daemon and its dispatcher.
#
#   sh bench/memory.sh [PUPILS] [SEED]          (defaults 3000 3)
#
# One run: a fresh redis-server (unix socket, AOF on with appendfsync
# everysec, no RDB, as bench/daemon.sh; Redis' default listpack limits), a
# fresh bench/webhook_sink and vroegsignaald with one webhook partner per
# role (as bench/deliveries.sh, so tasks, cases, audit entries and due times
# are made and every task is delivered), then `vroegsignaal generate --seed
# SEED --pupils PUPILS | vroegsignaal send`. Once every delivery arrived and
# the events stream is trimmed, it reports INFO memory's used_memory before
# and after, and MEMORY USAGE (SAMPLES 0: exact) of every key, summed per
# kind of key (vs:{0}:<kind>, with a task, case or partner suffix cut off),
# with the encoding of the first key of each kind. Per pupil: the state hash
# over the pupils it holds; per task: everything else (the keys the tasks,
# their assignments, cases and deliveries made) over the entries of the
# tasks stream.
# The processed entries of the tasks stream are then trimmed as the
# dispatcher's hourly trim does after dispatch.task_entry_retention_hours:
# the daemon once more with 0 hours (the stream's bytes before count in the
# extrapolation for ENTRY_HOURS, default 48).
# Then the extrapolation to a country of COUNTRY pupils (default 2,500,000):
# the measured bytes per pupil times the pupils, plus for each kind of key
# its bytes per task times the tasks it holds in a steady state: the tasks
# a year (measured here, per pupil, over the one school year generated)
# times how long the kind keeps them, by the defaults: 400 days for task
# records, cases and task entries (dispatch.task_retention_days), 730 for the
# audit (dispatch.audit_retention_days), a school year plus 90 days for the
# task ids (daemon.state_retention_days), TRANSIENT_DAYS (14) for what
# lives only until a task is delivered, due or acknowledged (due, open,
# outbox), one year for the daily counters.
#   B=dir        build directory (default build-bench, built Release)
#   KEEP_WORK=1  keep the work directory
set -eu
cd "$(dirname "$0")/.."
pupils=${1:-3000}
seed=${2:-3}
B=${B:-build-bench}
if [ "$B" = build-bench ]; then
	cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release -DVS_TESTS=OFF >/dev/null
	make -C "$B" -j2 >/dev/null
fi
# shellcheck disable=SC2046
cc -O2 -Wall -Wextra -o "$B/webhook_sink" bench/webhook_sink.c $(pkg-config --cflags --libs libevent)
VS=$B/vroegsignaal
VSD=$B/vroegsignaald
. bench/lib.sh
SINK_PID=""
# shellcheck disable=SC2154
trap 'for pid in $SINK_PID; do kill -9 "$pid" 2>/dev/null || true; done; bench_cleanup' EXIT

echo "input: vroegsignaal generate --config config/vroegsignaal.json --seed $seed --pupils $pupils | vroegsignaal send"
bench_header
echo "binaries: $B"
printf 'whsec-bench-0123456789abcdef\n' >"$WORK/wh.secret"

bench_start_redis
echo "redis: $(redis-server --version | cut -d' ' -f3), $(rcli CONFIG GET hash-max-listpack-entries | tr '\n' ' ')$(rcli CONFIG GET hash-max-listpack-value | tr '\n' ' ')$(rcli CONFIG GET stream-node-max-bytes | tr '\n' ' ')$(rcli CONFIG GET zset-max-listpack-entries | tr '\n' ' ')$(rcli INFO memory | tr -d '\r' | sed -n 's/^mem_allocator:/allocator /p')"
"$B/webhook_sink" "$WORK/sink.port" "$WORK/sink.txt" &
SINK_PID=$!
i=0
until [ -s "$WORK/sink.port" ]; do
	i=$((i + 1)); [ $i -gt 200 ] && { echo "the receiver did not start"; exit 1; }
	sleep 0.05
done
port=$(cat "$WORK/sink.port")
sed '$ d' "$WORK/bench.json" >"$WORK/d.json"
{
	printf ',\n  "partners": [\n'
	sep=""
	for role in school jeugdarts leerplicht rmc swv wij escalation; do
		printf '%s    {"id": "bench-%s", "role": "%s", "schools": ["*"],\n' "$sep" "$role" "$role"
		printf '     "connector": {"type": "webhook", "url": "http://127.0.0.1:%s/%s", "secret_file": "%s"},\n' "$port" "$role" "$WORK/wh.secret"
		printf '     "legal_basis": "bench"}'
		sep=",
"
	done
	printf '\n  ]\n}\n'
} >>"$WORK/d.json"
$VSD --config "$WORK/d.json" --check >/dev/null || { $VSD --config "$WORK/d.json" --check; exit 1; }
used() { rcli INFO memory | tr -d '\r' | sed -n 's/^used_memory:\([0-9]*\)/\1/p'; }
m0=$(used)
$VSD --config "$WORK/d.json" >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
$VS generate --config config/vroegsignaal.json --seed "$seed" --pupils "$pupils" 2>/dev/null |
	$VS send --config "$WORK/bench.json" >/dev/null 2>"$WORK/send.log"
$VS status --redis "$SOCK" --wait 600 --quiet
# every (task, role) of the tasks stream delivered, and the events trimmed
want=$(rcli --raw XRANGE 'vs:{0}:tasks' - + | awk 'prev == "roles" { n += split($0, a, ",") } { prev = $0 } END { print n + 0 }')
deadline=$(($(date +%s) + 300))
while :; do
	got=$(wc -l <"$WORK/sink.txt")
	[ "$got" -ge "$want" ] && [ "$(rcli XLEN 'vs:{0}:events')" -le 1 ] && break
	[ "$(date +%s)" -ge "$deadline" ] && { echo "timed out with $got of $want deliveries"; break; }
	sleep 0.5
done
sleep 1
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=""
tasks=$(rcli XLEN 'vs:{0}:tasks')
tasks_kept=$(rcli MEMORY USAGE 'vs:{0}:tasks' SAMPLES 0)
# The processed task entries go after dispatch.task_entry_retention_hours
# (48 by default), at the dispatcher's hourly trim, which also runs when it
# starts: the daemon once more with 0 hours, until they are gone (the
# stream's bytes before, over those hours' tasks, are in the extrapolation).
sed 's/^  "partners": \[/  "dispatch": {"task_entry_retention_hours": 0},\n  "partners": [/' "$WORK/d.json" >"$WORK/d0.json"
grep -q task_entry_retention_hours "$WORK/d0.json" || { echo "no partners in the bench config"; exit 1; }
$VSD --config "$WORK/d0.json" >>"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
i=0
until [ "$(rcli XLEN 'vs:{0}:tasks')" -le 1 ]; do
	i=$((i + 1)); [ $i -gt 600 ] && { echo "the task entries were not trimmed"; break; }
	sleep 0.1
done
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=""
m1=$(used)
npupils=$(rcli HLEN 'vs:{0}:state')
echo "tasks (entries of vs:{0}:tasks before the trim): $tasks, $tasks_kept bytes then; pupils (fields of vs:{0}:state): $npupils; deliveries: $(wc -l <"$WORK/sink.txt")"
echo "task records: $(rcli --scan --pattern 'vs:{0}:task:*' | wc -l), cases: $(rcli --scan --pattern 'vs:{0}:case:*' | wc -l), audit entries: $(rcli XLEN 'vs:{0}:audit'), due members: $(rcli ZCARD 'vs:{0}:due')"
# MEMORY USAGE of every key, one reply per line
rcli --scan >"$WORK/keys.txt"
sed 's/.*/MEMORY USAGE "&" SAMPLES 0/' "$WORK/keys.txt" | rcli >"$WORK/usage.txt"
sed 's/.*/OBJECT ENCODING "&"/' "$WORK/keys.txt" | rcli >"$WORK/enc.txt"
paste -d' ' "$WORK/keys.txt" "$WORK/usage.txt" "$WORK/enc.txt" | awk -v tasks="$tasks" -v pupils="$npupils" -v m0="$m0" -v m1="$m1" \
	-v country="${COUNTRY:-2500000}" -v transient="${TRANSIENT_DAYS:-14}" -v kept="$tasks_kept" \
	-v entry_hours="${ENTRY_HOURS:-48}" '
	{
		k = $1; sub(/^vs:\{[0-9]+\}:/, "", k)
		if (k ~ /^(task|case|caseitems|outbox|open|cases|caseset|undeliverable):/) sub(/:.*/, ":*", k)
		else if (k ~ /^daily:/) k = "daily:*"
		else if (k ~ /^taskids:/) k = "taskids:*"
		n[k]++; b[k] += $2; if (!(k in e)) e[k] = $3
		all += $2
	}
	END {
		for (k in n) {
			printf "R | `%s` | %d | %s | %d | %.0f | %.0f |\n", k, n[k], e[k], b[k], tasks ? b[k] / tasks : 0, pupils ? b[k] / pupils : 0
			if (k != "state" && k != "events" && k != "swept" && k != "lease" && k != "instances") t += b[k]
		}
		printf "S used_memory before %d, after %d (+%d bytes); MEMORY USAGE of all keys %d bytes\n", m0, m1, m1 - m0, all
		printf "S per pupil (state hash): %.0f bytes\n", pupils ? b["state"] / pupils : 0
		printf "S per task (every key but state, events, lease, swept, instances): %.0f bytes; from used_memory: (%d - state) / tasks = %.0f bytes\n", tasks ? t / tasks : 0, m1 - m0, tasks ? (m1 - m0 - b["state"]) / tasks : 0
		if (!tasks || !pupils) exit
		tpy = country * tasks / pupils
		gb = 1024 * 1024 * 1024
		sum = country * b["state"] / pupils
		printf "C %d pupils: %.0f tasks a year (%.0f per 1,000 pupils); state %.2f GiB\n", country, tpy, 1000 * tasks / pupils, sum / gb
		x = tpy * entry_hours / 24 / 365 * kept / tasks
		sum += x
		printf "C   tasks (stream, processed entries kept %d hours): %.0f bytes a task x %.1f days of tasks = %.2f GiB\n", entry_hours, kept / tasks, entry_hours / 24, x / gb
		for (k in n) {
			if (k == "state" || k == "events" || k == "swept" || k == "lease" || k == "instances" || k == "daily" || k == "tasks") continue
			days = 400
			if (k == "audit") days = 730
			else if (k == "taskids:*") days = 365 + 90
			else if (k == "due" || k ~ /^(open|outbox|undeliverable):/) days = transient
			else if (k == "daily:*") days = 365
			x = tpy * days / 365 * b[k] / tasks
			sum += x
			printf "C   %s: %.0f bytes a task x %.0f days of tasks = %.2f GiB\n", k, b[k] / tasks, days, x / gb
		}
		printf "C   total: %.2f GiB of keys (used_memory ran %.1f %% above the keys here)\n", sum / gb, 100 * (m1 - m0 - all) / all
	}' >"$WORK/report.txt"
echo "| kind of key | keys | encoding (first) | bytes | per task | per pupil |"
echo "|---|---|---|---|---|---|"
sed -n 's/^R //p' "$WORK/report.txt" | sort -t'|' -k5,5nr
echo
sed -n 's/^S //p' "$WORK/report.txt"
echo
sed -n 's/^C //p' "$WORK/report.txt"
# one record of each kind, for the eye (synthetic data)
tk=$(rcli --scan --pattern 'vs:{0}:task:*' | head -1)
echo "sample task record $tk: $(rcli MEMORY USAGE "$tk") bytes, $(rcli OBJECT ENCODING "$tk"), $(rcli HLEN "$tk") fields, json whole: $(rcli HSTRLEN "$tk" json) bytes, in pieces: $(rcli HGET "$tk" jk) (jk; the JSON's member names one byte each)"
