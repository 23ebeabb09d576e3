#!/bin/sh
# The unit under a real systemd: a debootstrapped Debian bookworm booted with
# systemd-nspawn (private network, its own Redis from Debian's package), the
# build installed into it with `cmake --install`. Opt-in (ctest label
# systemd-boot, -DVS_BOOT_TEST=ON): it needs root and takes about two minutes
# (the watchdog alone takes WatchdogSec = 30 s), plus a few minutes once for
# debootstrap. The root file system is cached in $VS_BOOT_CACHE (default
# /var/cache/vroegsignaal/bookworm); each run boots a copy of it.
#   - start is refused while a token file is unreadable for the service user
#   - start: READY (systemctl start returns), STATUS= names the partitions
#     taken at once, LimitNOFILE applies
#   - reload of a good file works; of an invalid file, and of a valid one
#     that breaks the region (no partners), fails without signalling
#   - journald: info lines at priority 6, a rejected reload at 3, no <N>
#     prefixes left in the messages
#   - watchdog: a SIGSTOPped daemon is restarted
#   - stop: clean, Result=success
#   - systemd-analyze security: exposure at most 2.0
set -u
BUILD=$1 PREFIX=$2 SBINDIR=$3 SYSCONFDIR=$4 BINDIR=$5
SRC=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${VS_BOOT_CACHE:-/var/cache/vroegsignaal}
ROOTFS=$CACHE/bookworm
MIRROR=${VS_BOOT_MIRROR:-$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
PACKAGES=systemd,systemd-sysv,dbus,redis-server,libevent-2.1-7,libevent-extra-2.1-7,libhiredis0.14,libcurl4,libjansson4,libssl3,libsystemd0,procps
passed=0 fail=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
no() { echo "FAIL $1"; fail=$((fail + 1)); }
check() { d=$1; shift; if "$@"; then ok "$d"; else no "$d"; fi; }

[ "$(id -u)" = 0 ] || { echo "FAIL needs root (systemd-nspawn)"; exit 1; }
for t in debootstrap systemd-nspawn nsenter; do
	command -v $t >/dev/null || { echo "FAIL $t is not installed (apt-get install debootstrap systemd-container)"; exit 1; }
done

# the cached root file system, made once per package list
if [ "$(cat "$ROOTFS/.vs-complete" 2>/dev/null)" != "$PACKAGES" ]; then
	echo "# debootstrap bookworm from $MIRROR into $ROOTFS (once)"
	mkdir -p "$CACHE"
	rm -rf "$ROOTFS" "$ROOTFS.tmp"
	debootstrap --variant=minbase --include=$PACKAGES bookworm "$ROOTFS.tmp" "$MIRROR" \
		>"$CACHE/debootstrap.log" 2>&1 || { echo "FAIL debootstrap (see $CACHE/debootstrap.log)"; exit 1; }
	echo "$PACKAGES" >"$ROOTFS.tmp/.vs-complete"
	mv "$ROOTFS.tmp" "$ROOTFS"
fi

WORK=$(mktemp -d /tmp/vs-boot.XXXXXX)
NSPAWN=
cleanup() {
	if [ -n "$NSPAWN" ]; then
		kill "$NSPAWN" 2>/dev/null # a clean poweroff of the container
		i=0
		while kill -0 "$NSPAWN" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$NSPAWN" 2>/dev/null
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cp -a "$ROOTFS" "$WORK/root"
ROOT=$WORK/root
DESTDIR=$ROOT cmake --install "$BUILD" >"$WORK/install.log" 2>&1 || { echo "FAIL cmake --install"; exit 1; }

CONFDIR=$SYSCONFDIR/vroegsignaal
# partners for every role, file connectors under the state directory; the
# school's API token file is the service user's to read (or not)
good_config() {
	cat >"$ROOT$CONFDIR/vroegsignaal.json" <<JSON
{
  "calendars": ["calendars/noord-2026-2027.json", "calendars/noord-2027-2028.json"],
  "ids": {"secret_file": "ids.secret"},
  "redis": {"host": "127.0.0.1", "port": 6379},
  "daemon": {"partitions": 2, "lease_ms": 3000},
  "http": {"listen": "127.0.0.1:9464"},
  "dispatch": {"poll_ms": $1},
  "partners": [
    {"id": "school", "role": "school", "schools": ["*"], "token_file": "$CONFDIR/school.token",
     "connector": {"type": "file", "path": "/var/lib/vroegsignaal/school.jsonl"}, "legal_basis": "x"},
    {"id": "jgz", "role": "jeugdarts", "schools": ["*"],
     "connector": {"type": "file", "path": "/var/lib/vroegsignaal/jgz.jsonl"}, "legal_basis": "x"},
    {"id": "lp", "role": "leerplicht", "schools": ["*"],
     "connector": {"type": "file", "path": "/var/lib/vroegsignaal/lp.jsonl"}, "legal_basis": "x"},
    {"id": "rmc", "role": "rmc", "schools": ["*"],
     "connector": {"type": "file", "path": "/var/lib/vroegsignaal/rmc.jsonl"}, "legal_basis": "x"},
    {"id": "swv", "role": "swv", "schools": ["*"],
     "connector": {"type": "file", "path": "/var/lib/vroegsignaal/swv.jsonl"}, "legal_basis": "x"},
    {"id": "esc", "role": "escalation", "schools": ["*"],
     "connector": {"type": "file", "path": "/var/lib/vroegsignaal/esc.jsonl"}, "legal_basis": "x"}
  ]
}
JSON
}
good_config 50
printf 'token-school-0123456789abcdef\n' >"$ROOT$CONFDIR/school.token"
chmod 0600 "$ROOT$CONFDIR/school.token" # root's alone, for now
# the region's id secret: the service user's alone (given to it below)
(umask 077 && cat "$SRC/tests/fixtures/ids.secret" >"$ROOT$CONFDIR/ids.secret")

systemd-nspawn -D "$ROOT" -b --private-network --register=no --keep-unit -M "vs-boot-$$" \
	--console=passive >"$WORK/console.log" 2>&1 &
NSPAWN=$!
LEADER=
i=0
while [ -z "$LEADER" ] && [ $i -lt 100 ]; do
	LEADER=$(pgrep -P "$NSPAWN" 2>/dev/null | head -1)
	sleep 0.1; i=$((i + 1))
done
[ -n "$LEADER" ] || { echo "FAIL the container did not start"; cat "$WORK/console.log"; exit 1; }
cin() { nsenter -t "$LEADER" -m -u -i -n -p -- "$@"; }
i=0
state=
until [ "$state" = running ] || [ "$state" = degraded ] || [ $i -gt 120 ]; do
	sleep 0.5; i=$((i + 1))
	state=$(cin systemctl is-system-running --wait 2>/dev/null)
done
check "the container boots ($state)" test "$state" = running -o "$state" = degraded
cin systemd-sysusers "$PREFIX/lib/sysusers.d/vroegsignaal.conf" >/dev/null 2>&1
cin chown vroegsignaal:vroegsignaal "$CONFDIR/ids.secret"
cin systemctl daemon-reload
i=0
until cin redis-cli ping >/dev/null 2>&1 || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "Debian's redis-server runs in the container" cin redis-cli ping
show() { cin systemctl show -p "$1" --value vroegsignaald.service; }
journal() { cin journalctl -u vroegsignaald.service --no-pager -o cat "$@"; }

# start: refused while the service user cannot read the token file
if cin systemctl start vroegsignaald.service 2>/dev/null; then
	no "start is refused while the token file is unreadable for the service user"
else
	ok "start is refused while the token file is unreadable for the service user"
fi
check "the journal names the unreadable file" sh -c \
	"nsenter -t $LEADER -m -u -i -n -p -- journalctl -u vroegsignaald.service --no-pager -o cat |
	 grep -q 'school.token.*cannot read\|cannot read.*school.token\|token_file: cannot read'"
cin chgrp vroegsignaal "$CONFDIR/school.token"
cin chmod 0640 "$CONFDIR/school.token"
cin systemctl reset-failed vroegsignaald.service 2>/dev/null

# start: READY
t0=$(date +%s)
check "systemctl start returns once the daemon is READY" cin systemctl start vroegsignaald.service
check "the unit is active and running" test "$(show ActiveState)/$(show SubState)" = active/running
PID=$(show MainPID)
# STATUS= at once, not at the next minute's update
i=0
until show StatusText | grep -q '2/2 partitions owned' || [ $i -gt 50 ]; do sleep 0.1; i=$((i + 1)); done
st=$(show StatusText)
check "STATUS= names both partitions owned within 5 s of start ($st)" sh -c \
	"echo '$st' | grep -q '2/2 partitions owned' && [ \$(( \$(date +%s) - $t0 )) -lt 30 ]"
lim=$(show LimitNOFILE)
check "LimitNOFILE applies to the daemon ($lim)" sh -c \
	"[ '$lim' = 65536 ] && nsenter -t $LEADER -m -u -i -n -p -- cat /proc/$PID/limits | grep -q '^Max open files  *65536  *65536'"

# systemd-analyze security on the unit as loaded
cin systemd-analyze security --no-pager vroegsignaald.service >"$WORK/security.out" 2>&1
score=$(sed -n 's/.*Overall exposure level for vroegsignaald.service: \([0-9.]*\).*/\1/p' "$WORK/security.out")
check "systemd-analyze security: exposure ${score:-?} (at most 2.0)" sh -c \
	"[ -n '$score' ] && awk 'BEGIN { exit !($score <= 2.0) }'"

# reload: a good file
good_config 100
check "systemctl reload of a good file succeeds" cin systemctl reload vroegsignaald.service
i=0
until journal | grep -q 'configuration reloaded from' || [ $i -gt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "the daemon reloaded it" sh -c "nsenter -t $LEADER -m -u -i -n -p -- journalctl -u vroegsignaald.service --no-pager -o cat | grep -q 'configuration reloaded from'"
# reload: an invalid file, then a valid one without partners
reloads=$(journal | grep -c 'configuration reloaded from\|configuration reload rejected')
printf '{"calendars": [' >"$ROOT$CONFDIR/vroegsignaal.json"
if cin systemctl reload vroegsignaald.service 2>/dev/null; then
	no "systemctl reload of an invalid file fails"
else
	ok "systemctl reload of an invalid file fails"
fi
good_config 100
awk '/"partners": \[/ { print "  \"partners\": []"; skip = 1; next } skip && /^  \]$/ { skip = 0; next } !skip' \
	"$ROOT$CONFDIR/vroegsignaal.json" >"$WORK/nopartners.json"
cp "$WORK/nopartners.json" "$ROOT$CONFDIR/vroegsignaal.json"
if cin systemctl reload vroegsignaald.service 2>/dev/null; then
	no "systemctl reload of a file without partners fails"
else
	ok "systemctl reload of a file without partners fails"
fi
check "the journal says why: no partners" sh -c "nsenter -t $LEADER -m -u -i -n -p -- journalctl -u vroegsignaald.service --no-pager -o cat | grep -q '^no partners'"
sleep 1
check "the daemon was not signalled for either" \
	test "$(journal | grep -c 'configuration reloaded from\|configuration reload rejected')" = "$reloads"
check "the daemon runs on, the same process" test "$(show ActiveState)/$(show MainPID)" = "active/$PID"

# journald priorities: a signal past the check reaches the daemon, which
# rejects the file at err
printf '{"calendars": [' >"$ROOT$CONFDIR/vroegsignaal.json"
cin kill -HUP "$PID"
i=0
until journal | grep -q 'configuration reload rejected' || [ $i -gt 50 ]; do sleep 0.1; i=$((i + 1)); done
good_config 100
cin journalctl -u vroegsignaald.service --no-pager -o json >"$WORK/journal.json"
prio() { # MESSAGE substring → the PRIORITY of its first entry
	grep -F "$1" "$WORK/journal.json" | head -1 | sed -n 's/.*"PRIORITY":"\([0-9]\)".*/\1/p'
}
check "journald: 'lease taken' at info (6) ($(prio 'lease taken'))" test "$(prio 'lease taken')" = 6
check "journald: a rejected reload at err (3) ($(prio 'configuration reload rejected'))" \
	test "$(prio 'configuration reload rejected')" = 3
check "journald: no <N> prefix left in the daemon's messages" sh -c \
	"! grep '\"_COMM\":\"vroegsignaald\"' '$WORK/journal.json' | grep -q '\"MESSAGE\":\"<[0-7]>'"

# watchdog: a stopped daemon is restarted (WatchdogSec=30s, RestartSec=2s)
R0=$(show NRestarts)
t2=$(date +%s)
cin kill -STOP "$PID"
i=0
until [ "$(show NRestarts)" -gt "$R0" ] && [ "$(show SubState)" = running ] || [ $i -gt 900 ]; do
	sleep 0.1; i=$((i + 1))
done
NPID=$(show MainPID)
check "the watchdog restarts a SIGSTOPped daemon (restarts $R0 -> $(show NRestarts), pid $PID -> $NPID, after $(( $(date +%s) - t2 )) s)" \
	test "$(show NRestarts)" -gt "$R0" -a "$NPID" != "$PID" -a "$(show SubState)" = running
check "the journal names the watchdog" sh -c "nsenter -t $LEADER -m -u -i -n -p -- journalctl --no-pager -o cat | grep -qi 'watchdog timeout'"

# stop
t1=$(date +%s)
check "systemctl stop succeeds" cin systemctl stop vroegsignaald.service
check "stopped cleanly: $(show ActiveState), Result=$(show Result), in $(( $(date +%s) - t1 )) s" \
	test "$(show ActiveState)/$(show Result)" = inactive/success
check "the daemon released its leases" sh -c "nsenter -t $LEADER -m -u -i -n -p -- journalctl -u vroegsignaald.service --no-pager -o cat | grep -q 'all partitions stopped; exiting'"

echo "$passed passed, $fail failed"
[ "$fail" -eq 0 ]
