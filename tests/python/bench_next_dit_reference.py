#!/usr/bin/env python3
"""Reference timing of diffusers' LuminaNextDiT2DModel forward on CPU, for comparison with
`lumina-cli bench --component transformer --config DIR` on the same folder (docs/bench-transformer.md).

Writes the model folder (random weights, save_pretrained) to --out unless it exists, then times the forward as the
pipeline calls it: RoPE table built every step on the CPU (unless --rope-outside), caption processing inside every
call, proportional attention on. Prints one JSON object with the median wall time and the median process CPU time
per step (the CPU time is the robust number on a shared machine; with --threads 1 it is the work done).
"""
import argparse
import json
import os
import statistics
import time

import torch

from diffusers import LuminaNextDiT2DModel
from diffusers.models.embeddings import get_2d_rotary_pos_embed_lumina

CONFIG = dict(sample_size=128, patch_size=2, in_channels=4, hidden_size=256, num_layers=4, num_attention_heads=8,
              num_kv_heads=2, multiple_of=256, ffn_dim_multiplier=None, norm_eps=1e-5, learn_sigma=True,
              qk_norm=True, cross_attention_dim=2048)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, help="transformer folder to write (or reuse)")
    ap.add_argument("--width", type=int, default=512)
    ap.add_argument("--height", type=int, default=512)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--caption-length", type=int, default=128)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--dtype", choices=["fp32", "bf16"], default="fp32")
    ap.add_argument("--rope-outside", action="store_true",
                    help="build the RoPE table once before timing (the pipeline builds it every step)")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    dtype = torch.bfloat16 if args.dtype == "bf16" else torch.float32

    if not os.path.exists(os.path.join(args.out, "config.json")):
        torch.manual_seed(0)
        model = LuminaNextDiT2DModel(**CONFIG)
        with torch.no_grad():
            model.pad_token.normal_()
            for layer in model.layers:  # as in the published checkpoint: attn2's query is attn1's
                layer.gate.normal_(0, 0.5)
                layer.attn2.to_q.weight.copy_(layer.attn1.to_q.weight)
                layer.attn2.norm_q.load_state_dict(layer.attn1.norm_q.state_dict())
        model.save_pretrained(args.out, safe_serialization=True)
    model = LuminaNextDiT2DModel.from_pretrained(args.out, torch_dtype=dtype).eval()
    cfg = model.config

    torch.manual_seed(0)
    latents = torch.randn(args.batch, cfg.in_channels, args.height // 8, args.width // 8, dtype=dtype)
    features = torch.randn(args.batch, args.caption_length, cfg.cross_attention_dim, dtype=dtype)
    mask = torch.ones(args.batch, args.caption_length, dtype=torch.int64)
    if args.batch > 1:
        mask[1, : args.caption_length // 2] = 0
    timestep = torch.rand(args.batch)
    base = (cfg.sample_size * 8 // 16) ** 2
    head_dim = cfg.hidden_size // cfg.num_attention_heads

    def table():
        return get_2d_rotary_pos_embed_lumina(head_dim, 384, 384, linear_factor=1.0, ntk_factor=1.0)

    prebuilt = table() if args.rope_outside else None
    times, cpu_times = [], []
    with torch.no_grad():
        for i in range(args.steps + 1):
            start, cpu_start = time.perf_counter(), time.process_time()
            rope = prebuilt if prebuilt is not None else table()
            model(latents, timestep, features, mask, rope, cross_attention_kwargs={"base_sequence_length": base},
                  return_dict=False)
            if i > 0:
                times.append(time.perf_counter() - start)
                cpu_times.append(time.process_time() - cpu_start)
    print(json.dumps({"component": "transformer-reference", "device": "cpu", "dtype": args.dtype,
                      "batch": args.batch, "width": args.width, "height": args.height,
                      "tokens": (args.height // 16) * (args.width // 16), "threads": torch.get_num_threads(),
                      "steps": args.steps, "rope_in_step": not args.rope_outside, "seconds_per_step": statistics.median(times),
                      "seconds_min": min(times), "cpu_seconds_per_step": statistics.median(cpu_times), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
