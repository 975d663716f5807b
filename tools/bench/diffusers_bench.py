#!/usr/bin/env python3
"""The reference side of the benchmarks: diffusers on a pipeline folder written by make_pipeline.py, timed the
way `lumina-cli bench` times ours, in the same run of tools/device-check.sh or tools/bench/whole_image_cpu.sh.

  --mode transformer  LuminaNextDiT2DModel forward as LuminaPipeline calls it (batch 2 as with CFG, caption of
                      --caption-length tokens with row 1 left-padded by half, proportional attention, RoPE table
                      built outside the timing), median of --repeat calls after --warmup calls
  --mode lumina2-transformer  Lumina2Transformer2DModel forward as Lumina2Pipeline calls it (one call per branch,
                      batch --batch, caption of --caption-length tokens, row 1 right-padded by half when batch > 1):
                      the transformer of --model, or without --model the published Lumina-Image-2.0 config with
                      random weights (the counterpart of `lumina-cli bench --config real-lumina2`)
  --mode vae          vae.decode of random latents (plus the [0, 1] mapping), median of --repeat after --warmup
  --mode pipeline     one whole LuminaPipeline call with --steps steps after --warmup calls of --warmup-steps;
                      encode_prompt and vae.decode timed inside it

Everything under torch.inference_mode(), timed with a device synchronisation. Prints one JSON object per
--size: seconds, peak memory growth (without weights) and total (with them), the SDPA kernel torch picks for
the self-attention call, load time and (CPU) peak RSS.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch  # noqa: E402


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


class Peak:
    """Peak memory of a section: CUDA allocator peak (growth and total), or the process's peak RSS."""

    def __init__(self, device):
        self.device = device
        if device.type == "cuda":
            sync(device)
            torch.cuda.reset_peak_memory_stats()
            self.base = torch.cuda.memory_allocated()

    def result(self):
        if self.device.type == "cuda":
            peak = torch.cuda.max_memory_allocated()
            return {"peak_memory_bytes": peak - self.base, "peak_memory_total_bytes": peak,
                    "peak_memory_kind": "cuda_max_allocated_growth"}
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return {"peak_memory_total_bytes": rss, "peak_memory_kind": "process_peak_rss"}


def timed(fn, device, warmup, repeat):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        sync(device)
        start = time.perf_counter()
        fn()
        sync(device)
        times.append(time.perf_counter() - start)
    return times


def sdpa_kernel(q, k, v, mask):
    names = {0: "math", 1: "flash", 2: "efficient", 3: "cudnn", 4: "overrideable"}
    try:
        return names.get(int(torch._fused_sdp_choice(q, k, v, mask)), "none")
    except Exception as e:  # noqa: BLE001
        return f"unknown ({type(e).__name__})"


def bench_transformer(args, device, dtype, size):
    from diffusers import LuminaNextDiT2DModel
    from diffusers.models.embeddings import get_2d_rotary_pos_embed_lumina

    start = time.perf_counter()
    model = LuminaNextDiT2DModel.from_pretrained(os.path.join(args.model, "transformer"), torch_dtype=dtype)
    model = model.to(device).eval()
    sync(device)
    load = time.perf_counter() - start
    cfg = model.config
    w, h = size
    g = torch.Generator().manual_seed(0)
    latents = torch.randn(2, cfg.in_channels, h // 8, w // 8, generator=g).to(device, dtype)
    caption = torch.randn(2, args.caption_length, cfg.cross_attention_dim, generator=g).to(device, dtype)
    mask = torch.ones(2, args.caption_length, dtype=torch.int64)
    mask[1, : args.caption_length // 2] = 0
    mask = mask.to(device)
    timestep = torch.rand(2, generator=g).to(device)
    head_dim = cfg.hidden_size // cfg.num_attention_heads
    rope = get_2d_rotary_pos_embed_lumina(head_dim, 384, 384, linear_factor=1.0, ntk_factor=1.0)
    base = (cfg.sample_size * 8 // 16) ** 2
    tokens = (h // 16) * (w // 16)
    # The reference's self-attention call: K/V repeated to every head and an all-true mask (B, heads, N, N).
    q = torch.empty(2, cfg.num_attention_heads, tokens, head_dim, device=device, dtype=dtype)
    kernel = sdpa_kernel(q, q, q, torch.ones(2, 1, 1, tokens, dtype=torch.bool, device=device))
    del q
    with torch.inference_mode():
        peak = Peak(device)
        times = timed(lambda: model(latents, timestep, caption, mask, rope,
                                    cross_attention_kwargs={"base_sequence_length": base}, return_dict=False),
                      device, args.warmup, args.repeat)
        memory = peak.result()
    return dict(component="transformer", seconds_per_step=statistics.median(times), seconds_min=min(times),
                load_seconds=load, attention_kernel=kernel, tokens=tokens, **memory)


# Alpha-VLLM/Lumina-Image-2.0 transformer/config.json.
LUMINA2_IMAGE_CONFIG = dict(sample_size=128, patch_size=2, in_channels=16, out_channels=None, hidden_size=2304,
                            num_layers=26, num_refiner_layers=2, num_attention_heads=24, num_kv_heads=8,
                            multiple_of=256, ffn_dim_multiplier=None, norm_eps=1e-5, scaling_factor=1.0,
                            axes_dim_rope=[32, 32, 32], axes_lens=[300, 512, 512], cap_feat_dim=2304)


def bench_lumina2_transformer(args, device, dtype, size):
    from diffusers import Lumina2Transformer2DModel

    start = time.perf_counter()
    if args.model:
        model = Lumina2Transformer2DModel.from_pretrained(os.path.join(args.model, "transformer"), torch_dtype=dtype)
    else:
        torch.manual_seed(0)
        model = Lumina2Transformer2DModel(**LUMINA2_IMAGE_CONFIG).to(dtype)
    model = model.to(device).eval()
    sync(device)
    load = time.perf_counter() - start
    cfg = model.config
    w, h = size
    b = args.batch
    g = torch.Generator().manual_seed(0)
    latents = torch.randn(b, cfg.in_channels, h // 8, w // 8, generator=g).to(device, dtype)
    caption = torch.randn(b, args.caption_length, cfg.cap_feat_dim, generator=g).to(device, dtype)
    mask = torch.ones(b, args.caption_length, dtype=torch.bool)
    if b > 1:
        mask[1, args.caption_length // 2:] = False
    mask = mask.to(device)
    timestep = torch.rand(b, generator=g).to(device)
    with torch.inference_mode():
        peak = Peak(device)
        times = timed(lambda: model(latents, timestep, caption, mask, return_dict=False), device, args.warmup,
                      args.repeat)
        memory = peak.result()
    return dict(component="lumina2-transformer", seconds_per_step=statistics.median(times), seconds_min=min(times),
                load_seconds=load, tokens=(h // 16) * (w // 16), batch=b,
                parameters=sum(p.numel() for p in model.parameters()), **memory)


def bench_vae(args, device, dtype, size):
    from diffusers import AutoencoderKL

    start = time.perf_counter()
    vae = AutoencoderKL.from_pretrained(os.path.join(args.model, "vae"), torch_dtype=dtype).to(device).eval()
    sync(device)
    load = time.perf_counter() - start
    w, h = size
    g = torch.Generator().manual_seed(0)
    latents = torch.randn(1, vae.config.latent_channels, h // 8, w // 8, generator=g).to(device, dtype)
    result = dict(component="vae", load_seconds=load, tiled=False)
    with torch.inference_mode():
        def decode():
            return (vae.decode(latents / vae.config.scaling_factor).sample * 0.5 + 0.5).clamp(0, 1)
        peak = Peak(device)
        try:
            times = timed(decode, device, args.warmup, args.repeat)
        except torch.OutOfMemoryError:
            # diffusers' own answer to a large image: its (approximate) tiled decode
            torch.cuda.empty_cache()
            vae.enable_tiling()
            result["tiled"] = True
            peak = Peak(device)
            times = timed(decode, device, args.warmup, args.repeat)
        result.update(seconds_per_step=statistics.median(times), seconds_min=min(times), **peak.result())
    return result


def bench_pipeline(args, device, dtype, size, pipe_cache={}):
    from diffusers import LuminaPipeline

    if "pipe" not in pipe_cache:
        start = time.perf_counter()
        pipe = LuminaPipeline.from_pretrained(args.model, torch_dtype=dtype)
        pipe = pipe.to(device)
        pipe.set_progress_bar_config(disable=True)
        sync(device)
        pipe_cache["pipe"] = pipe
        pipe_cache["load"] = time.perf_counter() - start
        # Time encode_prompt and vae.decode inside the call (the pipeline calls them once each).
        spent = pipe_cache["spent"] = {}

        def wrap(obj, name, key):
            original = getattr(obj, name)

            def timed_call(*a, **kw):
                sync(device)
                t0 = time.perf_counter()
                out = original(*a, **kw)
                sync(device)
                spent[key] = spent.get(key, 0.0) + time.perf_counter() - t0
                return out
            setattr(obj, name, timed_call)
        wrap(pipe, "encode_prompt", "encode")
        wrap(pipe.vae, "decode", "decode")
    pipe, spent = pipe_cache["pipe"], pipe_cache["spent"]
    w, h = size

    def run(steps):
        return pipe(prompt=args.prompt, width=w, height=h, num_inference_steps=steps, guidance_scale=4.0,
                    generator=torch.Generator("cpu").manual_seed(0), clean_caption=False, output_type="np")
    with torch.inference_mode():
        for _ in range(args.warmup):
            run(args.warmup_steps)
        spent.clear()
        peak = Peak(device)
        sync(device)
        start = time.perf_counter()
        run(args.steps)
        sync(device)
        total = time.perf_counter() - start
        memory = peak.result()
    sampling = total - spent.get("encode", 0.0) - spent.get("decode", 0.0)
    return dict(component="pipeline", steps=args.steps, load_seconds=pipe_cache["load"],
                encode_seconds=spent.get("encode", 0.0), sampling_seconds=sampling,
                seconds_per_step=sampling / args.steps, decode_seconds=spent.get("decode", 0.0),
                total_seconds=total, **memory)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="pipeline folder (make_pipeline.py); lumina2-transformer: optional")
    ap.add_argument("--mode", choices=["transformer", "lumina2-transformer", "vae", "pipeline"], required=True)
    ap.add_argument("--size", action="append", required=True, help="WIDTHxHEIGHT, repeatable")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--dtype", choices=["fp32", "bf16", "fp16"], default="bf16")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--warmup-steps", type=int, default=1)
    ap.add_argument("--caption-length", type=int, default=128)
    ap.add_argument("--batch", type=int, default=1, help="lumina2-transformer: rows per call")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--prompt", default="a photo of a red fox in the snow, golden hour")
    args = ap.parse_args()
    if not args.model and args.mode != "lumina2-transformer":
        ap.error(f"--model is required for --mode {args.mode}")
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[args.dtype]
    bench = {"transformer": bench_transformer, "lumina2-transformer": bench_lumina2_transformer, "vae": bench_vae,
             "pipeline": bench_pipeline}[args.mode]
    import diffusers
    for text in args.size:
        w, h = (int(v) for v in text.lower().split("x"))
        try:
            result = bench(args, device, dtype, (w, h))
        except torch.OutOfMemoryError as e:
            result = {"component": args.mode, "error": f"out of memory: {str(e).splitlines()[0]}"}
            torch.cuda.empty_cache()
        result.update(implementation="diffusers", diffusers=diffusers.__version__, torch=torch.__version__,
                      device=str(device), dtype=args.dtype, width=w, height=h, warmup=args.warmup,
                      host_peak_rss_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
        print(json.dumps(result), flush=True)
        if device.type == "cuda":
            torch.cuda.empty_cache()


if __name__ == "__main__":
    sys.exit(main())
