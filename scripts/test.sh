#!/bin/sh
# The whole test suite: installs what is needed, then
#   1. a plain build with -Werror and every test (unit, replay fixtures),
#   2. the unit tests under valgrind,
#   3. an ASan/UBSan build and every test again,
#   4. every libFuzzer target (fuzz/) for 15 s from its seed corpus.
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

echo "== fuzzing (libFuzzer with ASan + UBSan, 15 s a target)"
# The seeds (fuzz/corpus/<target>/) first, then new inputs for a bounded time;
# what a run finds goes to a scratch corpus in the build directory, never into
# the repository. bench/fuzz.sh does the long run.
CC=clang cmake -S . -B build/ci-fuzz -DVS_WERROR=ON -DVS_FUZZ=ON -DVS_TESTS=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/ci-fuzz -j"$jobs"
for src in fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	rm -rf "build/ci-fuzz/corpus/$t"
	mkdir -p "build/ci-fuzz/corpus/$t"
	"build/ci-fuzz/fuzz/$t" -max_total_time=15 -artifact_prefix="build/ci-fuzz/$t-" \
		"build/ci-fuzz/corpus/$t" "fuzz/corpus/$t" >"build/ci-fuzz/$t.log" 2>&1 || {
		tail -n 40 "build/ci-fuzz/$t.log"
		echo "fuzz: $t failed (the input is in build/ci-fuzz/)"
		exit 1
	}
	echo "fuzz: $t: $(grep -E '^#[0-9]+' "build/ci-fuzz/$t.log" | tail -n 1)"
done
