#!/usr/bin/env python3
"""Reference timing for `lumina-cli bench --component vae`: diffusers AutoencoderKL with the real SDXL VAE config
(vae/config.json of stabilityai/sdxl-vae) and random weights (same init scheme as the C++ bench), timing the pipeline's decode path
(latents / scaling_factor, vae.decode, (x * 0.5 + 0.5).clamp(0, 1)) on the CPU. Prints one JSON object shaped
like the C++ bench output (seconds_per_step = decode time, peak_memory_bytes = peak RSS growth).
Usage: bench_vae_reference.py [--width 1024] [--height 1024] [--dtype fp32|bf16] [--repeat 1] [--threads N]
"""
import argparse
import json
import math
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402


def status_bytes(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--width", type=int, default=1024)
    ap.add_argument("--height", type=int, default=1024)
    ap.add_argument("--dtype", choices=["fp32", "bf16"], default="fp32")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--out", help="ignored (fixture interface)")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    from diffusers import AutoencoderKL

    dtype = torch.bfloat16 if args.dtype == "bf16" else torch.float32
    vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(128, 256, 512, 512),
                        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                        layers_per_block=2, norm_num_groups=32, scaling_factor=0.13025, sample_size=1024).eval()
    torch.manual_seed(0)
    with torch.no_grad():
        for name, p in vae.named_parameters():
            if "norm" in name:
                p.fill_(1.0 if name.endswith("weight") else 0.0)
            elif p.dim() == 1:
                p.zero_()
            else:
                p.normal_(0.0, 1.0 / math.sqrt(p.numel() / p.shape[0]))
    vae = vae.to(dtype)
    latents = torch.randn(1, 4, args.height // 8, args.width // 8).to(dtype)
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    rss_before = status_bytes("VmRSS:")
    times = []
    with torch.no_grad():
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            image = vae.decode(latents / vae.config.scaling_factor, return_dict=False)[0]
            image = (image * 0.5 + 0.5).clamp(0, 1).float()
            times.append(time.perf_counter() - t0)
    times.sort()
    print(json.dumps({"component": "vae", "implementation": "diffusers", "config": "real-sdxl", "device": "cpu",
                      "dtype": args.dtype, "width": args.width, "height": args.height, "tiled": False,
                      "threads": torch.get_num_threads(), "repeat": args.repeat,
                      "seconds_per_step": times[len(times) // 2], "seconds_min": times[0],
                      "peak_memory_bytes": max(0, status_bytes("VmHWM:") - rss_before),
                      "peak_memory_kind": "rss_growth", "torch": torch.__version__}))


if __name__ == "__main__":
    main()
