#!/usr/bin/env python3
"""Whole-image benchmark on the CPU (docs/bench-cpu.md): `lumina-cli generate --json` against diffusers'
LuminaPipeline on the same mid-size random pipeline (make_pipeline.py --preset mid: Next-DiT hidden 384, 6 layers;
4-block VAE with 32-64 channels), 512x512, 8 CFG steps, fp32, seed 0, each run a fresh process on both sides (what
a user runs). Per run and side: load, encode, sampling, decode and total seconds (ours from --json timings, the
reference's timed inside its pipeline call), the process's peak RSS and its peak private (anonymous) memory. Runs alternate between the two sides so
machine load hits both alike. Not a ctest test: timings never go into the test suite.

Usage: tools/bench/whole_image_cpu.py --cli build/bin/lumina-cli [--runs 5] [--model DIR] [--json OUT.json]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROMPT = "a photo of a red fox in the snow, golden hour"


def rss_anon(pid):
    """Private anonymous resident memory (bytes) of a live process, from /proc; 0 once it has gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def measure(cmd):
    """Runs cmd; returns (stdout, peak RSS, peak private memory, wall seconds). Peak RSS (the kernel's high-water
    mark) counts file-backed pages too: mapped weights read from the page cache. Private memory (RssAnon,
    sampled every 10 ms) is what the process holds of its own: what it costs the machine beyond the file cache."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        peak_anon = 0
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            peak_anon = max(peak_anon, rss_anon(p.pid))
            time.sleep(0.01)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        rc = os.waitstatus_to_exitcode(status)
        if rc != 0:
            raise RuntimeError(f"{cmd[0]} exited {rc}: {err.read()[-2000:]}")
        return out.read(), usage.ru_maxrss * 1024, peak_anon, wall


def ours(cli, model, steps, size):
    out, rss, anon, wall = measure([cli, "generate", "--model", model, "--preset", "diffusers", "--prompt", PROMPT,
                              "--width", str(size), "--height", str(size), "--steps", str(steps), "--guidance",
                              "4", "--seed", "0", "--device", "cpu", "--dtype", "fp32", "--json", "--quiet"])
    t = json.loads(out.strip().splitlines()[-1])["timings_ms"]
    return {"load": t["load"] / 1e3, "encode": t["encode"] / 1e3, "sampling": t["sampling"] / 1e3,
            "decode": t["decode"] / 1e3, "total": t["total"] / 1e3, "peak_rss": rss, "peak_private": anon,
            "process_wall": wall}


def reference(model, steps, size):
    out, rss, anon, wall = measure([sys.executable, os.path.join(HERE, "diffusers_bench.py"), "--model", model,
                              "--mode", "pipeline", "--device", "cpu", "--dtype", "fp32", "--size",
                              f"{size}x{size}", "--steps", str(steps), "--warmup", "0", "--prompt", PROMPT])
    r = json.loads(out.strip().splitlines()[-1])
    return {"load": r["load_seconds"], "encode": r["encode_seconds"], "sampling": r["sampling_seconds"],
            "decode": r["decode_seconds"], "total": r["total_seconds"], "peak_rss": rss, "peak_private": anon,
            "process_wall": wall}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--model", default=os.path.join(tempfile.gettempdir(), "lumina-bench-mid-pipeline"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--json", help="also write every run here")
    args = ap.parse_args()
    subprocess.run([sys.executable, os.path.join(HERE, "make_pipeline.py"), "--preset", "mid", "--out", args.model],
                   check=True)
    runs = []
    for i in range(args.runs):
        pair = {"run": i + 1}
        for side, fn in (("ours", lambda: ours(args.cli, args.model, args.steps, args.size)),
                         ("diffusers", lambda: reference(args.model, args.steps, args.size)))[:: 1 if i % 2 == 0 else -1]:
            pair[side] = fn()
        runs.append(pair)
        o, d = pair["ours"], pair["diffusers"]
        print(f"run {i + 1}: total ours {o['total']:.2f} s / diffusers {d['total']:.2f} s = "
              f"{o['total'] / d['total']:.2f}x; sampling {o['sampling'] / d['sampling']:.2f}x, "
              f"decode {o['decode'] / d['decode']:.2f}x, encode {o['encode'] / d['encode']:.2f}x, "
              f"load {o['load']:.2f} / {d['load']:.2f} s, peak RSS {o['peak_rss'] / 2**20:.0f} / "
              f"{d['peak_rss'] / 2**20:.0f} MiB, peak private {o['peak_private'] / 2**20:.0f} / "
              f"{d['peak_private'] / 2**20:.0f} MiB", flush=True)
    keys = ("load", "encode", "sampling", "decode", "total", "peak_rss", "peak_private")
    summary = {k: {"ours": statistics.median(r["ours"][k] for r in runs),
                   "diffusers": statistics.median(r["diffusers"][k] for r in runs),
                   "ratio_median": statistics.median(r["ours"][k] / r["diffusers"][k] for r in runs)} for k in keys}
    print("median: " + ", ".join(f"{k} {v['ratio_median']:.2f}x" for k, v in summary.items()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"settings": vars(args), "load_average": os.getloadavg(), "runs": runs, "summary": summary,
                       "when": time.strftime("%Y-%m-%d %H:%M:%S")}, f, indent=1)


if __name__ == "__main__":
    main()
