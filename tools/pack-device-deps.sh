#!/usr/bin/env bash
# Packs what tools/device-check.sh needs besides LibTorch into .device-deps/ (git-ignored), for a GPU machine
# that has Python torch and transformers but not the Debian libraries or the diffusion reference:
#   - the Debian packages lumina_core builds against (sentencepiece, spdlog, fmt, nlohmann-json, SQLite),
#     downloaded with apt-get download and unpacked with dpkg-deb (run on Debian 12 / the CI image);
#   - diffusers and torchdiffeq from the project's .venv, zipped (pure Python, imported from the zip).
# OpenImageIO is not packed (its dependency tree is large); the device check builds with image export off.
# Usage: tools/pack-device-deps.sh [DEST]   (default .device-deps); then copy DEST next to the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-.device-deps}
pkgs="libsentencepiece0 libsentencepiece-dev libspdlog1.10 libspdlog-dev libfmt9 libfmt-dev nlohmann-json3-dev
      libsqlite3-dev libsqlite3-0 pkgconf-bin libpkgconf3"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download $pkgs >/dev/null) || { echo "apt-get download failed (run apt-get update)"; exit 1; }
rm -rf "$dest"
mkdir -p "$dest/python"
dest=$(realpath "$dest")
for d in "$tmp"/*.deb; do dpkg-deb -x "$d" "$dest"; done
rm -rf "$dest/usr/share/doc" "$dest/usr/share/man"
# pkg-config and CMake files must point at the carried prefix, wherever it lands.
find "$dest" -name '*.pc' -exec sed -i 's#^prefix=/usr#prefix=${pcfiledir}/../../..#' {} +
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
for pkg in diffusers torchdiffeq; do
    (cd "$site" && find "$pkg" -name '__pycache__' -prune -o -type f -print | zip -q -9 "$dest/python/$pkg.zip" -@)
done
du -sh "$dest"
