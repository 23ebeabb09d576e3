#!/bin/sh
# The service unit as installed by `cmake --install`: it passes
# `systemd-analyze verify`, its hardening scores at most 2.0 with
# `systemd-analyze security`, and the install puts binaries, unit, sysusers,
# configuration and docs where the unit expects them.
set -u
BUILD=$1 PREFIX=$2 SBINDIR=$3 SYSCONFDIR=$4 BINDIR=$5 DOCDIR=$6
fail=0
ok() { echo "ok   $1"; }
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
# the installed configuration is valid as installed
if "$dest$SBINDIR/vroegsignaald" --config "$dest$SYSCONFDIR/vroegsignaal/vroegsignaal.json" --check \
	>/dev/null 2>&1; then
	ok "the installed configuration passes vroegsignaald --check"
else
	no "the installed configuration passes vroegsignaald --check"
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
unit=$dest/vroegsignaald.service
sed "s|$SBINDIR/vroegsignaald|$dest$SBINDIR/vroegsignaald|g" "$installed" >"$unit"
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
total=12
echo "$((total - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
