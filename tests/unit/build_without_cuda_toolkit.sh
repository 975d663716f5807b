#!/bin/bash
# Proves that the project configures and links where artists build: the CUDA wheel of LibTorch but no CUDA
# toolkit. The toolkit is hidden in a private mount namespace (empty folders bind-mounted over
# /usr/local/cuda*, nvcc dropped from PATH); a scratch build directory is configured (core + CLI, no UI, no
# OpenImageIO), the small torch_runtime_probe is built and run: it must start and load libtorch_cuda and the
# CUDA runtime from the wheel. Needs root (CI runs as root); exits 77 (skipped) with the reason otherwise.
# Usage: build_without_cuda_toolkit.sh SOURCE_DIR SCRATCH_BUILD_DIR
set -euo pipefail
src=$1
scratch=$2
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root to make a mount namespace"; exit 77; fi
if ! command -v unshare >/dev/null || ! unshare -m true 2>/dev/null; then
    echo "SKIP: unshare -m is not available or not permitted here"; exit 77
fi
exec unshare -m bash -s "$src" "$scratch" <<'INNER'
set -euo pipefail
src=$1
scratch=$2
empty=$(mktemp -d)
mount --make-rprivate / 2>/dev/null || true
for d in /usr/local/cuda /usr/local/cuda-* /opt/cuda; do
    if [ -d "$d" ]; then mount --bind "$empty" "$d"; echo "hidden: $d"; fi
done
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vi cuda | paste -sd: -)
export PATH
unset CUDA_HOME CUDA_PATH CUDACXX CUDAToolkit_ROOT
# nvcc wrappers elsewhere on PATH (for example /usr/local/bin/nvcc): covered by a non-executable empty file.
blank=$(mktemp)
chmod 644 "$blank"
for n in $(which -a nvcc 2>/dev/null || true); do mount --bind "$blank" "$n"; echo "hidden: $n"; done
if nvcc --version >/dev/null 2>&1; then echo "FAIL: nvcc still runs ($(command -v nvcc))"; exit 1; fi
rm -rf "$scratch"
if ! cmake -S "$src" -B "$scratch" -G Ninja -DLUMINA_BUILD_UI=OFF -DLUMINA_WITH_OIIO=OFF \
        -DLUMINA_BUILD_TESTS=OFF -DLUMINA_USE_PCH=OFF >"$scratch.log" 2>&1; then
    cat "$scratch.log"; echo "FAIL: configure without a CUDA toolkit"; exit 1
fi
grep -E "^-- CUDA: " "$scratch.log"
if ! grep -q "^-- CUDA: no CUDA toolkit found" "$scratch.log"; then
    echo "FAIL: the configure step did not take the no-toolkit path"; exit 1
fi
cmake --build "$scratch" --target torch_runtime_probe -- -j2 >"$scratch.build.log" 2>&1 || {
    tail -40 "$scratch.build.log"; echo "FAIL: build without a CUDA toolkit"; exit 1; }
out=$("$scratch/tests/torch_runtime_probe")
echo "$out"
if printf '%s\n' "$out" | grep -q "^cuda runtime: .*libcudart" && \
   ! printf '%s\n' "$out" | grep -q "^cuda runtime: .*/nvidia/"; then
    echo "FAIL: the CUDA runtime did not come from the wheel (site-packages/nvidia)"; exit 1
fi
rm -rf "$scratch" "$scratch.log" "$scratch.build.log"
echo "PASS: configured, built and ran without a CUDA toolkit"
INNER
