#!/usr/bin/env python3
"""Download throughput from the loopback mock Hub (tests/python/mock_hub.py): `lumina-cli download` against
huggingface_hub.snapshot_download, the same synthetic pipeline from the same server in the same run, each into
a fresh cache. Our time includes the SHA-256 verification of every file; huggingface_hub's does not verify, so
its time is also reported with a hashlib SHA-256 pass over the files added. A benchmark, not a test: prints a
Markdown table (docs/hub.md keeps the figures).

usage: bench_hub_download.py --cli build/bin/lumina-cli [--megabytes 1024] [--runs 3]
"""
import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import mock_hub  # noqa: E402

REPO = "bench/lumina-big"


def sha256_tree(folder):
    for root, _, names in os.walk(folder):
        for n in names:
            h = hashlib.sha256()
            with open(os.path.join(root, n), "rb") as f:
                for chunk in iter(lambda: f.read(4 << 20), b""):
                    h.update(chunk)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--megabytes", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    # The server in its own process, so that it never shares an interpreter lock with the Python client.
    server = subprocess.Popen([sys.executable, mock_hub.__file__, "--big-repo", f"{REPO}={args.megabytes}"],
                              stdout=subprocess.PIPE, text=True)
    url = json.loads(server.stdout.readline())["hub"]
    size = sum(f.size for f in mock_hub.synthetic_pipeline(args.megabytes))
    os.environ.update({"HF_ENDPOINT": url, "HF_HUB_DISABLE_TELEMETRY": "1", "NO_PROXY": "127.0.0.1"})
    os.environ.pop("HF_TOKEN", None)
    from huggingface_hub import snapshot_download

    ours, theirs, theirs_hashed = [], [], []
    for _ in range(args.runs):
        work = tempfile.mkdtemp(prefix="hubbench-")
        try:
            env = dict(os.environ, HF_HUB_CACHE=os.path.join(work, "ours"), LUMINA_DATA_DIR=os.path.join(work, "d"))
            t = time.perf_counter()
            subprocess.run([args.cli, "download", REPO], env=env, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            path = snapshot_download(REPO, cache_dir=os.path.join(work, "theirs"), token=False)
            theirs.append(time.perf_counter() - t)
            sha256_tree(path)
            theirs_hashed.append(time.perf_counter() - t)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    mb = size / 1e6
    rows = [("lumina-cli download (SHA-256 verified)", ours),
            ("huggingface_hub.snapshot_download", theirs),
            ("huggingface_hub.snapshot_download + hashlib SHA-256", theirs_hashed)]
    print(f"{mb:.0f} MB over loopback, median of {args.runs} runs\n")
    print("| client | seconds | MB/s |")
    print("|---|---:|---:|")
    for name, times in rows:
        m = statistics.median(times)
        print(f"| {name} | {m:.2f} | {mb / m:.0f} |")
    print(f"\nratio (ours / huggingface_hub without hashing): {statistics.median(ours) / statistics.median(theirs):.2f}")
    server.kill()


if __name__ == "__main__":
    main()
