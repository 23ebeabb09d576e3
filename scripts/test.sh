#!/bin/sh
# The whole test suite: installs what is needed, then
#   1. a plain build with -Werror and every test (unit, replay fixtures),
#   2. the unit tests under valgrind,
#   3. an ASan/UBSan build and every test again.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
jobs=$(nproc)

echo "== plain build (-Werror)"
cmake -S . -B build/ci-plain -DVS_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/ci-plain -j"$jobs"
(cd build/ci-plain && ctest --output-on-failure -j"$jobs")

echo "== valgrind (unit tests)"
for t in build/ci-plain/tests/test_*; do
	[ -x "$t" ] || continue
	valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
		"$t" >/dev/null 2>build/ci-plain/valgrind.log || {
		cat build/ci-plain/valgrind.log
		echo "valgrind: $t failed"
		exit 1
	}
done
echo "valgrind: clean"

echo "== sanitizer build (ASan + UBSan)"
cmake -S . -B build/ci-asan -DVS_WERROR=ON -DVS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build/ci-asan -j"$jobs"
(cd build/ci-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ctest --output-on-failure -j"$jobs")
