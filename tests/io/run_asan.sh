#!/usr/bin/env bash
# Builds the checkpoint-loading tests (safetensors reader, module loader, locator) with AddressSanitizer and
# UBSan in their own build folder and runs them: every malformed-file case must fail cleanly, with no
# out-of-bounds read. Registered as the ctest `asan_io_loader`, so CI runs it with every other test.
#   tests/io/run_asan.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# Lean flags keep this build a few minutes on two cores: -O1 (what the sanitizers recommend) and -g1 (function
# names and line tables for the reports, without the full debug information LibTorch's templates would produce).
lean_flags="-O1 -g1 -DNDEBUG"
build=${1:-$root/build-asan}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$lean_flags" -DCMAKE_C_FLAGS_RELWITHDEBINFO="$lean_flags" \
      -DLUMINA_SANITIZE=address -DLUMINA_WERROR=OFF \
      -DLUMINA_BUILD_UI=OFF -DLUMINA_WITH_OIIO=OFF >/dev/null
cmake --build "$build" -j1 --target test_io_safetensors test_io_module_loader test_io_checkpoint_locator
ctest --test-dir "$build" --output-on-failure -R '^test_io_(safetensors|module_loader|checkpoint_locator)$'
