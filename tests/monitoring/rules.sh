#!/bin/sh
# The alerting rules are valid (`promtool check rules`) and behave as their
# unit tests say (`promtool test rules`: input series, expected alerts).
SRC=$1
set -eu
command -v promtool >/dev/null || { echo "FAIL promtool is not installed (scripts/setup.sh installs it)"; exit 1; }
cd "$SRC/monitoring"
promtool check rules vroegsignaal.rules.yml
promtool test rules vroegsignaal.rules.test.yml
