#!/bin/sh
# The main job on its embedded default: installs what is needed, builds, and
# runs `vroegsignaal replay` over the bundled sample region (a synthetic
# school year), printing the signals per rule and level. The signals
# themselves are written to build/demo/signals.jsonl.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DVS_TESTS=OFF >/dev/null
cmake --build build/release -j"$(nproc)" >/dev/null
mkdir -p build/demo
echo "Replaying config/sample/events.jsonl (synthetic region Noord, school year 2026-2027)..."
build/release/vroegsignaal replay --config config/vroegsignaal.json --summary \
	config/sample/events.jsonl >build/demo/signals.jsonl
echo "Signals written to build/demo/signals.jsonl"
