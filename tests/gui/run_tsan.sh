#!/usr/bin/env bash
# Builds the studio's threaded parts under ThreadSanitizer in their own build folder and runs their tests:
# the engine bridge (UI thread, engine worker, token thread) with the demo engine standing in for LibTorch
# (whose own thread pool would make the sanitizer noisy), the persisted job queue, and the gallery store.
# Registered as the ctest `tsan_studio`, so CI runs it with every other test.
#   tests/gui/run_tsan.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# Lean flags keep this build a few minutes on two cores: -O1 (what the sanitizers recommend) and -g1 (function
# names and line tables for the reports, without the full debug information LibTorch's templates would produce).
lean_flags="-O1 -g1 -DNDEBUG"
build=${1:-$root/build-tsan}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$lean_flags" -DCMAKE_C_FLAGS_RELWITHDEBINFO="$lean_flags" \
      -DLUMINA_SANITIZE=thread -DLUMINA_WERROR=OFF \
      -DLUMINA_WITH_OIIO=OFF >/dev/null
cmake --build "$build" -j1 --target test_engine_bridge test_queue_persistence test_gallery_store
# Qt itself is not instrumented: its internal locking is invisible to the sanitizer, so races reported
# inside Qt's own libraries are suppressed (tsan.supp); every report in our code fails the run.
# die_after_fork=0: the queue test starts a studio process (QProcess forks, then execs a fresh program).
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:die_after_fork=0:suppressions=$root/tests/gui/tsan.supp"
# Qt's own event dispatcher instead of GLib's: one uninstrumented library less between the threads.
export QT_NO_GLIB=1
ctest --test-dir "$build" --output-on-failure -R '^test_(engine_bridge|queue_persistence|gallery_store)$'
