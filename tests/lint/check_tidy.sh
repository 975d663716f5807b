#!/usr/bin/env bash
# ctest lint_clang_tidy: clang-tidy with the root .clang-tidy (warnings are errors) on every core source that
# does not include LibTorch (util, vocabulary, request, gallery, image, hub): those parse in seconds, while a
# LibTorch translation unit takes a minute, too long for CI on two cores.
# Usage: check_tidy.sh CLANG_TIDY BUILD_DIR PYTHON
set -euo pipefail
clang_tidy=$1
build=$2
python=$3
mapfile -t files < <("$python" - "$build/compile_commands.json" <<'PY'
import json, sys
for entry in json.load(open(sys.argv[1])):
    path, command = entry["file"], entry.get("command", " ".join(entry.get("arguments", [])))
    if "/core/" in path and "torch/include" not in command:
        print(path)
PY
)
if [ "${#files[@]}" -eq 0 ]; then
    echo "no core sources found in $build/compile_commands.json" >&2
    exit 1
fi
echo "clang-tidy on ${#files[@]} core files"
# The compile commands are GCC's: flags clang does not know (GCC 12's -Wno-error=restrict) must not count as
# errors, so clang is told to ignore unknown warning options, before the database's own flags.
printf '%s\n' "${files[@]}" |
    xargs -P 2 -n 3 "$clang_tidy" -p "$build" --quiet --extra-arg-before=-Wno-unknown-warning-option
