#!/bin/sh
# Installs what vroegsignaal needs on Debian (bookworm), with apt-get, only
# when something is missing. Runs as root or through sudo.
#   setup.sh        everything the test suite needs (the default)
#   setup.sh run    only what building and running needs (the demo)
set -eu
packages="build-essential cmake pkg-config libjansson-dev libhiredis-dev libevent-dev
libsystemd-dev libcurl4-openssl-dev libssl-dev ca-certificates redis-server"
# the tests also need cmocka, valgrind, and the real peers they check against
# (an HTTPS webhook receiver and an SMTP server in Debian's python3, a test CA
# made with openssl, headless Chromium for the status page), luac from Lua 5.1
# (Redis's Lua) for the scripts' syntax check, and clang with its libFuzzer
# runtime (libclang-rt-14-dev) for the fuzz targets; the documents' checks
# need python3-jsonschema and python3-yaml (JSON Schemas, the partner API's
# answers) and Node.js with npm (swagger-parser validates docs/openapi.yaml);
# redis-sentinel for the failover tests (they start their own sentinels)
[ "${1:-test}" = run ] || packages="$packages libcmocka-dev valgrind systemd curl prometheus
python3 python3-aiosmtpd python3-pil openssl chromium fonts-dejavu-core lua5.1 clang
libclang-rt-14-dev python3-jsonschema python3-yaml nodejs redis-sentinel"
# a Node.js that ships its own npm (as NodeSource's does) conflicts with
# Debian's npm package: add that only when there is no npm
[ "${1:-test}" = run ] || command -v npm >/dev/null 2>&1 || packages="$packages npm"
missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "setup: installing$missing" >&2
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
