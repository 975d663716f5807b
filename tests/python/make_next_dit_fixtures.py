#!/usr/bin/env python3
"""Parity fixtures for the LibTorch Next-DiT (spec section 7.3, points 4-9).

Builds tiny random diffusers LuminaNextDiT2DModel folders (save_pretrained, safetensors), runs the reference on
fixed inputs and writes inputs and outputs as safetensors, plus a manifest.json describing every case, and the
name -> shape list of the real 2B model (built on the meta device, no allocation).
"""
import argparse
import copy
import json
import math
import os

import torch
from safetensors.torch import save_file

from diffusers import LuminaNextDiT2DModel
from diffusers.models.embeddings import get_2d_rotary_pos_embed_lumina
from diffusers.utils import logging as diffusers_logging
from caption_masks import make_mask

torch.set_num_threads(1)
diffusers_logging.set_verbosity_error()

# Tiny configs. T1: GQA 2, learn_sigma, attn2 query shared with attn1 (like the published checkpoint). T2: GQA 1, no
# learn_sigma, attn2.to_q/norm_q different from attn1 (the fallback path). T3: GQA 4, ffn_dim_multiplier,
# qk_norm off, shared query.
MODELS = {
    "T1": dict(sample_size=16, patch_size=2, in_channels=4, hidden_size=64, num_layers=2, num_attention_heads=4,
               num_kv_heads=2, multiple_of=32, ffn_dim_multiplier=None, norm_eps=1e-5, learn_sigma=True,
               qk_norm=True, cross_attention_dim=32),
    "T2": dict(sample_size=16, patch_size=2, in_channels=4, hidden_size=64, num_layers=2, num_attention_heads=4,
               num_kv_heads=4, multiple_of=32, ffn_dim_multiplier=None, norm_eps=1e-5, learn_sigma=False,
               qk_norm=True, cross_attention_dim=24),
    "T3": dict(sample_size=16, patch_size=2, in_channels=4, hidden_size=64, num_layers=3, num_attention_heads=4,
               num_kv_heads=1, multiple_of=16, ffn_dim_multiplier=1.3, norm_eps=1e-6, learn_sigma=True,
               qk_norm=False, cross_attention_dim=32),
}
SHARED_QUERY = {"T1": True, "T2": False, "T3": True}

# (model, case name, batch, latent h, latent w, caption length, padding per row, t per row, linear, ntk, base)
# padding: "right" = valid tokens first, "left" = valid tokens last, with `valid` counts per row.
CASES = [
    ("T1", "square_prop_linear", 2, 12, 12, 8, [("right", 5), ("left", 3)], [0.2, 0.8], 0.75, 1.0, 64),
    ("T1", "nonsquare_ntk", 2, 12, 8, 8, [("left", 6), ("right", 8)], [0.8, 0.8], 1.0, 1.5, None),
    ("T1", "ntk_below_one_b1", 1, 8, 16, 6, [("right", 2)], [0.5], 1.0, 0.75, 64),
    ("T2", "gqa1_fallback_prop", 2, 16, 16, 8, [("right", 4), ("left", 7)], [0.3, 0.6], 2.0, 1.0, 64),
    ("T2", "gqa1_fallback_nonsquare", 2, 8, 12, 5, [("left", 2), ("left", 5)], [0.0, 1.0], 1.0, 2.0, None),
    ("T3", "gqa4_linear_below_one", 2, 10, 14, 7, [("right", 7), ("left", 1)], [0.25, 0.75], 0.5, 1.0, None),
    ("T3", "gqa4_prop", 1, 14, 6, 4, [("right", 3)], [0.9], 1.0, 1.0, 64),
]

ROPE_FACTORS = [(1.0, 1.0), (0.5, 1.0), (0.75, 1.0), (1.0, 2.0), (2.0, 1.0), (1.0, 1.5), (1.0, 0.75),
                (math.sqrt(2.0), 1.0)]
TIMES = [0.0, 0.0344483, 0.5, 0.999, 1.0]


def randomize(model, shared_query):
    """Moves every zero/one-initialised tensor away from its training init so that no path is skipped."""
    g = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for name, p in model.named_parameters():
            leaf = name.split(".")[-1]
            is_norm = any(s in name for s in ("norm_q", "norm_k", "norm1.norm", "norm2", "ffn_norm", "norm1_context",
                                              "caption_embedder.0"))
            if name.endswith("gate"):
                p.copy_(torch.randn(p.shape, generator=g) * 0.8)
            elif is_norm and leaf == "weight":
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            elif is_norm and leaf == "bias":
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            elif name == "pad_token":
                p.copy_(torch.randn(p.shape, generator=g))
            elif "norm1.linear" in name or "norm_out" in name:
                p.copy_(torch.randn(p.shape, generator=g) * (0.5 / math.sqrt(p.shape[-1])))
        for layer in model.layers:
            if shared_query:
                layer.attn2.to_q.weight.copy_(layer.attn1.to_q.weight)
                if layer.attn1.norm_q is not None:
                    layer.attn2.norm_q.weight.copy_(layer.attn1.norm_q.weight)
                    layer.attn2.norm_q.bias.copy_(layer.attn1.norm_q.bias)


def run_case(model, model_bf16, cfg, case, seed):
    _, _, batch, h, w, length, padding, times, linear, ntk, base = case
    g = torch.Generator().manual_seed(seed)
    latents = torch.randn(batch, cfg["in_channels"], h, w, generator=g)
    caption = torch.randn(batch, length, cfg["cross_attention_dim"], generator=g)
    mask = make_mask(length, padding)
    timestep = torch.tensor(times, dtype=torch.float32)
    head_dim = cfg["hidden_size"] // cfg["num_attention_heads"]
    rope = get_2d_rotary_pos_embed_lumina(head_dim, 384, 384, linear_factor=linear, ntk_factor=ntk)
    kwargs = {} if base is None else {"base_sequence_length": base}
    with torch.no_grad():
        out = model(latents, timestep, caption, mask, rope, cross_attention_kwargs=kwargs, return_dict=False)[0]
        # The bf16 reference: same inputs rounded to bf16, the reference's own fp32 islands (RMSNorm
        # statistics, FP32SiLU, RoPE, caption pooling: docs/reference-notes.md, Next-DiT).
        out_bf16 = model_bf16(latents.to(torch.bfloat16), timestep, caption.to(torch.bfloat16), mask, rope,
                              cross_attention_kwargs=kwargs, return_dict=False)[0]
    return {"latents": latents, "timestep": timestep, "caption": caption, "mask": mask,
            "output": out.contiguous(), "output_bf16": out_bf16.contiguous()}


def dump_pieces(model, out_dir):
    """Points 5-7: time_proj, temb, patch embedding, unpatchify layout."""
    tensors = {}
    t = torch.tensor(TIMES, dtype=torch.float32)
    with torch.no_grad():
        tensors["time_proj.t"] = t
        tensors["time_proj.out"] = model.time_caption_embed.time_proj(t).contiguous()
        g = torch.Generator().manual_seed(7)
        caption = torch.randn(2, 8, 32, generator=g)
        mask = make_mask(8, [("right", 5), ("left", 2)])
        tt = torch.tensor([0.2, 0.8])
        tensors["temb.t"] = tt
        tensors["temb.caption"] = caption
        tensors["temb.mask"] = mask
        tensors["temb.out"] = model.time_caption_embed(tt, caption, mask).contiguous()
        latents = torch.randn(1, 4, 12, 8, generator=g)
        rope = get_2d_rotary_pos_embed_lumina(16, 384, 384)
        tokens, _, _, freqs = model.patch_embedder(latents, rope)
        tensors["patch.latents"] = latents
        tensors["patch.tokens"] = tokens.contiguous()
        tensors["patch.freqs"] = torch.view_as_real(freqs).contiguous()
        # Unpatchify of a ramp, with the reference's own op sequence from LuminaNextDiT2DModel.forward.
        p, c, hh, ww = 2, model.out_channels, 12, 8
        ramp = torch.arange(1 * (hh // p) * (ww // p) * p * p * c, dtype=torch.float32).view(1, -1, p * p * c)
        img = ramp.view(1, hh // p, ww // p, p, p, c).permute(0, 5, 1, 3, 2, 4).flatten(4, 5).flatten(2, 3)
        tensors["unpatchify.tokens"] = ramp
        tensors["unpatchify.image"] = img.contiguous()
    save_file(tensors, os.path.join(out_dir, "pieces.safetensors"))


def dump_rope(out_dir):
    """Point 4: the tables for several (linear, ntk); long and short axes so both slots see positions 0..383."""
    tensors = {}
    for i, (lin, ntk) in enumerate(ROPE_FACTORS):
        for hd in (16, 72):
            tensors[f"rope.{i}.{hd}.tall"] = torch.view_as_real(
                get_2d_rotary_pos_embed_lumina(hd, 384, 3, linear_factor=lin, ntk_factor=ntk)).contiguous()
            tensors[f"rope.{i}.{hd}.wide"] = torch.view_as_real(
                get_2d_rotary_pos_embed_lumina(hd, 3, 384, linear_factor=lin, ntk_factor=ntk)).contiguous()
    save_file(tensors, os.path.join(out_dir, "rope.safetensors"))
    return [{"index": i, "linear": lin, "ntk": ntk} for i, (lin, ntk) in enumerate(ROPE_FACTORS)]


def derived_sizes(model):
    """The sizes diffusers derives from a config, read off the built modules."""
    attn = model.layers[0].attn1
    head_dim = attn.to_q.out_features // attn.heads
    return {"hidden_size": model.config.hidden_size, "head_dim": head_dim,
            "kv_heads": attn.to_k.out_features // head_dim, "out_channels": model.out_channels,
            "ffn_inner": model.layers[0].feed_forward.linear_1.out_features,
            "conditioning": model.time_caption_embed.timestep_embedder.linear_2.out_features}


def dump_real_shapes(out_dir):
    """Names and shapes of the published 2B transformer, from diffusers on the meta device."""
    with torch.device("meta"):
        model = LuminaNextDiT2DModel(sample_size=128, patch_size=2, in_channels=4, hidden_size=2304, num_layers=24,
                                     num_attention_heads=32, num_kv_heads=8, multiple_of=256,
                                     ffn_dim_multiplier=None, norm_eps=1e-5, learn_sigma=True, qk_norm=True,
                                     cross_attention_dim=2048, scaling_factor=1.0)
    shapes = {k: list(v.shape) for k, v in model.state_dict().items()}
    total = sum(v.numel() for v in model.parameters())
    with open(os.path.join(out_dir, "real_2b_shapes.json"), "w") as f:
        json.dump({"shapes": shapes, "total": total, "derived": derived_sizes(model)}, f, indent=0,
                  sort_keys=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    manifest = {"torch": torch.__version__, "threads": torch.get_num_threads(), "models": {}, "cases": []}
    import diffusers
    manifest["diffusers"] = diffusers.__version__
    models = {}
    for name, cfg in MODELS.items():
        torch.manual_seed(0)
        model = LuminaNextDiT2DModel(**cfg).eval()
        randomize(model, SHARED_QUERY[name])
        model.save_pretrained(os.path.join(args.out, name), safe_serialization=True)
        models[name] = model
        manifest["models"][name] = {"shared_query": SHARED_QUERY[name], "num_layers": cfg["num_layers"],
                                    "derived": derived_sizes(model)}

    for i, case in enumerate(CASES):
        name = case[1]
        model = models[case[0]]
        tensors = run_case(model, copy.deepcopy(model).to(torch.bfloat16), MODELS[case[0]], case, seed=100 + i)
        save_file(tensors, os.path.join(args.out, f"case_{name}.safetensors"))
        manifest["cases"].append({"model": case[0], "name": name, "linear": case[8], "ntk": case[9],
                                  "base_sequence_length": case[10]})

    dump_pieces(models["T1"], args.out)
    manifest["rope"] = dump_rope(args.out)
    dump_real_shapes(args.out)
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
