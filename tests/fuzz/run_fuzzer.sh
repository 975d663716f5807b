#!/usr/bin/env bash
# Builds the safetensors header fuzzer with clang (libFuzzer + ASan + UBSan; only the parser, no LibTorch)
# and runs it for N seconds (default 60) on a copy of the seed corpus.
#   tests/fuzz/run_fuzzer.sh [SECONDS] [BUILD_DIR]
set -euo pipefail
seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${2:-$root/build-fuzz}
cxx=${CXX_FUZZ:-$(command -v clang++-14 || command -v clang++)}

cmake -S "$here" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target fuzz_safetensors_header

# The committed seeds stay untouched; new inputs found while fuzzing go to the work corpus.
work="$build/corpus"
mkdir -p "$work" "$build/artifacts"
cp -n "$here"/corpus/* "$work"/ 2>/dev/null || true
cd "$build"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
"$build/fuzz_safetensors_header" -max_total_time="$seconds" -dict="$here/safetensors.dict" \
    -max_len=4096 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$build/artifacts/" -print_final_stats=1 "$work"
