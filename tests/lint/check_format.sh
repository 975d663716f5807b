#!/usr/bin/env bash
# ctest lint_clang_format: every C++ file of the project is formatted as the root .clang-format says.
# Usage: check_format.sh CLANG_FORMAT SOURCE_DIR
set -euo pipefail
clang_format=$1
cd "$2"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    mapfile -t files < <(git ls-files -- 'app/*.cpp' 'app/*.h' 'core/*.cpp' 'core/*.h' 'ui/*.cpp' 'ui/*.h' 'tests/*.cpp' 'tests/*.h')
else
    mapfile -t files < <(find app core ui tests -name '*.cpp' -o -name '*.h' | sort)
fi
echo "checking ${#files[@]} files with $("$clang_format" --version)"
if ! "$clang_format" --dry-run --Werror "${files[@]}"; then
    echo "Not formatted: run  clang-format -i  on the files above (root .clang-format)." >&2
    exit 1
fi
