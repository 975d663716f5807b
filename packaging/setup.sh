#!/usr/bin/env bash
# Installs what Lumina Studio needs and is missing: Debian packages (packaging/debian-packages.txt) and the
# project's Python environment .venv (packaging/requirements.txt: LibTorch for the build + the reference stack
# for parity tests). Idempotent: a second run checks, installs nothing and takes seconds.
# Environment: LUMINA_PYTHON (python3 to create the venv with), LUMINA_SKIP_APT=1 (manage packages yourself).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

die() { echo "setup: $*" >&2; exit 1; }
say() { echo "setup: $*"; }

# 1. Debian packages
if [ "${LUMINA_SKIP_APT:-0}" != 1 ]; then
    command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 ||
        die "this script installs packages with apt (Debian 12 / Ubuntu 24.04). On another system install the equivalents of packaging/debian-packages.txt yourself and run it with LUMINA_SKIP_APT=1."
    mapfile -t wanted < <(grep -vE '^\s*(#|$)' packaging/debian-packages.txt)
    missing=()
    for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        sudo=""
        [ "$(id -u)" = 0 ] || { command -v sudo >/dev/null || die "need root or sudo to install: ${missing[*]}"; sudo=sudo; }
        say "installing Debian packages: ${missing[*]}"
        $sudo apt-get update -qq >/tmp/lumina-apt.log 2>&1 ||
            die "apt-get update failed (no network to the package mirror, or the apt lock is held by another process); see /tmp/lumina-apt.log, then run this again."
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >>/tmp/lumina-apt.log 2>&1 ||
            die "apt-get install failed for: ${missing[*]} (see /tmp/lumina-apt.log; is another apt running? are these packages in your release?)."
    else
        say "Debian packages: all present"
    fi
fi

# 2. Python environment with LibTorch and the reference stack
py=${LUMINA_PYTHON:-python3}
stamp=.venv/.lumina-requirements
want=$(sha256sum packaging/requirements.txt | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    say "Python environment .venv: up to date"
else
    if [ ! -x .venv/bin/python ]; then
        command -v "$py" >/dev/null || die "python3 not found; install python3 and python3-venv."
        "$py" -m venv .venv || die "could not create .venv with $py (install python3-venv)."
    fi
    say "installing Python packages into .venv (torch 2.11.0 with its CUDA runtime: a few GB, once)"
    .venv/bin/python -m pip install -q --upgrade pip >/tmp/lumina-pip.log 2>&1
    .venv/bin/python -m pip install -q -r packaging/requirements.txt >>/tmp/lumina-pip.log 2>&1 ||
        die "pip install failed (no network to the Python package index, or no space left); see /tmp/lumina-pip.log, then run this again."
    echo "$want" > "$stamp"
fi
.venv/bin/python -c "import torch, diffusers, transformers" 2>/dev/null ||
    die ".venv is broken (torch/diffusers/transformers do not import): remove .venv and run this again."

# 3. The CUDA build of LibTorch looks for a CUDA toolkit at configure time.
if ! command -v nvcc >/dev/null 2>&1 && [ ! -x /usr/local/cuda/bin/nvcc ]; then
    say "warning: no CUDA toolkit (nvcc) found; LibTorch's CMake config may fail. Install the CUDA toolkit, or configure with -DCMAKE_PREFIX_PATH=<official LibTorch CPU download> (see README, Troubleshooting)."
fi
say "ready ($root)"
