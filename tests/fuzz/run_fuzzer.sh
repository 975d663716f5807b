#!/usr/bin/env bash
# Builds a fuzzer with clang (libFuzzer + ASan + UBSan; only the parser, no LibTorch) and runs it for N seconds
# (default 60) on a copy of its seed corpus: fuzz_safetensors_header (corpus/, safetensors.dict) by default,
# fuzz_settings_readback (corpus_settings/, settings.dict).
#   tests/fuzz/run_fuzzer.sh [SECONDS] [BUILD_DIR] [TARGET]
set -euo pipefail
seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${2:-$root/build-fuzz}
target=${3:-fuzz_safetensors_header}
case "$target" in
    fuzz_safetensors_header) corpus="$here/corpus" dict="$here/safetensors.dict" ;;
    fuzz_settings_readback) corpus="$here/corpus_settings" dict="$here/settings.dict" ;;
    *) echo "unknown fuzz target $target" >&2; exit 2 ;;
esac
cxx=${CXX_FUZZ:-$(command -v clang++-14 || command -v clang++)}

cmake -S "$here" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j1 --target "$target"

# The committed seeds stay untouched; new inputs found while fuzzing go to the work corpus.
work="$build/corpus-$target"
mkdir -p "$work" "$build/artifacts"
cp -n "$corpus"/* "$work"/ 2>/dev/null || true
cd "$build"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
"$build/$target" -max_total_time="$seconds" -dict="$dict" \
    -max_len=4096 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$build/artifacts/" -print_final_stats=1 "$work"
