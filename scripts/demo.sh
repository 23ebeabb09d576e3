#!/bin/sh
# The main job on its embedded default: installs what is needed, builds,
# starts a private redis-server (unix socket in a temporary directory, AOF on),
# starts vroegsignaald with config/demo.json, loads the bundled sample region
# (a synthetic school year, a few deliberately invalid lines among it) with
# `vroegsignaal send --raw` so the daemon itself judges every line, waits until
# the daemon has caught up, prints the tasks per rule and role and the dead
# letters per reason, checks them against `vroegsignaal replay`, shows the
# deliveries to the demo partners (Redis queue streams), and stops everything
# it started.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh run
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DVS_TESTS=OFF >/dev/null
cmake --build build/release -j"$(nproc)" >/dev/null
bin=build/release
# Task and case ids are keyed with the region's secret (docs/configuration.md,
# "ids"): config/demo.json and config/vroegsignaal.json name config/ids.secret.
# Made once, random, readable by this user only; kept for later runs.
if [ ! -e config/ids.secret ]; then
	(umask 077 && openssl rand -hex 32 >config/ids.secret.new) && mv config/ids.secret.new config/ids.secret
	echo "== made the demo's id secret config/ids.secret (random, mode 0600)"
fi
work=$(mktemp -d /tmp/vroegsignaal-demo.XXXXXX)
sock=$work/redis.sock
redis_pid=""
daemon_pid=""
stop() {
	[ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
	[ -n "$redis_pid" ] && kill -TERM "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
	rm -rf "$work"
}
trap stop EXIT INT TERM

echo "== starting redis-server on $sock (AOF on)"
redis-server --port 0 --unixsocket "$sock" --unixsocketperm 700 --dir "$work" \
	--appendonly yes --save '' --logfile "$work/redis.log" &
redis_pid=$!
i=0
until redis-cli -s "$sock" ping >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -gt 100 ] && { echo "redis-server did not start"; exit 1; }
	sleep 0.05
done

echo "== starting vroegsignaald with config/demo.json (log: journald format on stderr)"
$bin/vroegsignaald --config config/demo.json --redis "$sock" 2>"$work/daemon.log" &
daemon_pid=$!

echo "== loading config/sample/events.jsonl (600 pupils, school year 2026-2027)"
$bin/vroegsignaal send --config config/demo.json --redis "$sock" --raw \
	config/sample/events.jsonl 2>"$work/send.log" || true
tail -1 "$work/send.log"

echo "== waiting until the daemon has caught up"
$bin/vroegsignaal status --redis "$sock" --wait 300 --tasks

echo
echo "== the same sample through vroegsignaal replay (no Redis)"
$bin/vroegsignaal replay --config config/vroegsignaal.json --no-final-sweep \
	config/sample/events.jsonl 2>/dev/null | sed 's/^{"id":"\([^"]*\)".*/\1/' | sort >"$work/replay"
redis-cli -s "$sock" --raw XRANGE 'vs:{0}:tasks' - + |
	awk 'prev == "id" { print } { prev = $0 }' | sort >"$work/tasks"
if cmp -s "$work/replay" "$work/tasks"; then
	echo "the daemon's $(wc -l <"$work/tasks") tasks are exactly replay's signals"
else
	echo "MISMATCH between the daemon's tasks and replay's signals"
	exit 1
fi
echo
echo "== deliveries to the demo partners (config/demo.json: Redis queue streams)"
i=0
while [ "$($bin/vroegsignaal tasks --config config/demo.json --redis "$sock" --state open 2>/dev/null |
	awk -F'\t' 'NR > 1 && $7 != "delivered"' | wc -l)" -gt 0 ] && [ $i -lt 300 ]; do
	sleep 0.2; i=$((i + 1))
done
for q in school-noord swv-noord leerplicht-noord rmc-noord aoj-escalatie; do
	printf '  %-18s %s deliveries\n' "$q" "$(redis-cli -s "$sock" XLEN "demo:queue:$q")"
done
echo "one delivery to leerplicht (minimised: no health facts), as its queue holds it:"
redis-cli -s "$sock" --raw XRANGE demo:queue:leerplicht-noord - + COUNT 1 | sed -n '9p'
echo
echo "== daemon log (last lines)"
tail -4 "$work/daemon.log"
