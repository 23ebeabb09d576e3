#!/bin/sh
# The service unit as installed by `cmake --install`: it passes
# `systemd-analyze verify`, its hardening scores at most 2.0 with
# `systemd-analyze security`, and the install puts binaries, unit, sysusers,
# configuration and docs where the unit expects them. An upgrade (installing
# again) keeps an edited configuration and calendar, and the shipped default
# (no partners) does not pass the unit's start check.
set -u
BUILD=$1 PREFIX=$2 SBINDIR=$3 SYSCONFDIR=$4 BINDIR=$5 DOCDIR=$6
fail=0
passed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
no() { echo "FAIL $1"; fail=$((fail + 1)); }
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "FAIL systemd-analyze is not installed (scripts/setup.sh installs systemd)"
	exit 1
fi
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
DESTDIR=$dest cmake --install "$BUILD" >/dev/null || no "cmake --install"
for f in "$BINDIR/vroegsignaal" "$SBINDIR/vroegsignaald" \
	"$PREFIX/lib/systemd/system/vroegsignaald.service" "$PREFIX/lib/sysusers.d/vroegsignaal.conf" \
	"$SYSCONFDIR/vroegsignaal/vroegsignaal.json" \
	"$SYSCONFDIR/vroegsignaal/calendars/noord-2026-2027.json" "$DOCDIR/redis-keys.md"; do
	if [ -e "$dest$f" ]; then ok "installed $f"; else no "installed $f"; fi
done
for f in "$SYSCONFDIR/vroegsignaal/vroegsignaal.json.example" "$DOCDIR/examples/vroegsignaal.json" \
	"$DOCDIR/examples/calendars/noord-2026-2027.json"; do
	if [ -e "$dest$f" ]; then ok "installed the example $f"; else no "installed the example $f"; fi
done
# the shipped default has no partners: it is valid, but the unit's start
# check refuses it (exit 2) and both checks say why
conf=$dest$SYSCONFDIR/vroegsignaal/vroegsignaal.json
rc=0
"$dest$BINDIR/vroegsignaal" check-config --config "$conf" >"$dest/cc.out" 2>&1 || rc=$?
if [ "$rc" -eq 2 ] && grep -q '^no partners' "$dest/cc.out"; then
	ok "check-config refuses the shipped default: no partners (exit 2)"
else
	no "check-config refuses the shipped default: no partners (exit $rc)"
fi
rc=0
"$dest$SBINDIR/vroegsignaald" --config "$conf" --check >"$dest/check.out" 2>&1 || rc=$?
if [ "$rc" -eq 2 ] && grep -q '^no partners' "$dest/check.out"; then
	ok "vroegsignaald --check refuses the shipped default: no partners (exit 2)"
else
	no "vroegsignaald --check refuses the shipped default: no partners (exit $rc)"
fi
# an upgrade keeps the region's edits, restores a missing calendar and
# refreshes the example
cal=$dest$SYSCONFDIR/vroegsignaal/calendars/noord-2026-2027.json
cal2=$dest$SYSCONFDIR/vroegsignaal/calendars/noord-2027-2028.json
sed -i 's/"full_day_minutes": 360/"full_day_minutes": 345/' "$conf"
sed -i 's/"region": "noord"/"region": "noord-edited"/' "$cal"
rm -f "$cal2"
echo '{}' >"$dest$SYSCONFDIR/vroegsignaal/vroegsignaal.json.example"
DESTDIR=$dest cmake --install "$BUILD" >"$dest/reinstall.out" 2>&1 || no "cmake --install (again)"
if grep -q '"full_day_minutes": 345' "$conf"; then
	ok "re-installing keeps the edited vroegsignaal.json"
else
	no "re-installing keeps the edited vroegsignaal.json"
fi
if grep -q '"region": "noord-edited"' "$cal"; then
	ok "re-installing keeps the edited calendar"
else
	no "re-installing keeps the edited calendar"
fi
if [ -s "$cal2" ]; then ok "re-installing restores a missing calendar"; else no "re-installing restores a missing calendar"; fi
if grep -q '"full_day_minutes": 360' "$dest$SYSCONFDIR/vroegsignaal/vroegsignaal.json.example"; then
	ok "re-installing refreshes vroegsignaal.json.example"
else
	no "re-installing refreshes vroegsignaal.json.example"
fi
if grep -q "Kept: .*vroegsignaal.json" "$dest/reinstall.out"; then
	ok "the install says it kept the configuration"
else
	no "the install says it kept the configuration"
fi
# the unit names the installed paths; verify resolves ExecStart, so point it
# at the binary under DESTDIR
installed=$dest$PREFIX/lib/systemd/system/vroegsignaald.service
if grep -q "^ExecStart=$SBINDIR/vroegsignaald --config $SYSCONFDIR/vroegsignaal/vroegsignaal.json$" \
	"$installed"; then
	ok "the unit starts $SBINDIR/vroegsignaald with $SYSCONFDIR/vroegsignaal/vroegsignaal.json"
else
	no "the unit names the install paths"
fi
cc="$BINDIR/vroegsignaal check-config --config $SYSCONFDIR/vroegsignaal/vroegsignaal.json --as-user vroegsignaal"
if grep -q "^ExecStartPre=$cc$" "$installed"; then
	ok "the unit checks the configuration for the service user before it starts"
else
	no "the unit checks the configuration for the service user before it starts"
fi
if [ "$(grep '^ExecReload=' "$installed" | head -1)" = "ExecReload=$cc" ] &&
	grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$installed"; then
	ok "the unit checks the configuration before it signals a reload"
else
	no "the unit checks the configuration before it signals a reload"
fi
if [ "$(grep -c '^LimitNOFILE=' "$installed")" = 1 ]; then
	ok "the unit sets LimitNOFILE once"
else
	no "the unit sets LimitNOFILE once"
fi
unit=$dest/vroegsignaald.service
sed -e "s|$SBINDIR/vroegsignaald|$dest$SBINDIR/vroegsignaald|g" \
	-e "s|$BINDIR/vroegsignaal |$dest$BINDIR/vroegsignaal |g" "$installed" >"$unit"
if out=$(systemd-analyze verify "$unit" 2>&1) && [ -z "$out" ]; then
	ok "systemd-analyze verify: no complaint"
else
	no "systemd-analyze verify: $out"
fi
score=$(systemd-analyze security --offline=true --no-pager "$unit" 2>/dev/null |
	sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if systemd-analyze security --offline=true --threshold=20 --no-pager "$unit" >/dev/null 2>&1; then
	ok "systemd-analyze security: exposure $score (at most 2.0)"
else
	no "systemd-analyze security: exposure $score (over 2.0)"
fi

echo "$passed passed, $fail failed"
[ "$fail" -eq 0 ]
