#!/usr/bin/env python3
"""Parity fixtures for the LibTorch Lumina-Image 2.0 transformer (core/models/lumina2).

Builds tiny random diffusers Lumina2Transformer2DModel folders (save_pretrained, safetensors), runs the reference
in fp32 and bf16 on fixed inputs (batches of two prompts with different caption lengths, non-square latents,
grouped-query attention), dumps the rotary tables of one batch, and writes the name -> shape list of the
published Lumina-Image 2.0 transformer built on the meta device (no allocation), with its config.json.
"""
import argparse
import copy
import json
import math
import os

import torch
from safetensors.torch import save_file

from diffusers import Lumina2Transformer2DModel
from diffusers.utils import logging as diffusers_logging
from caption_masks import make_mask

torch.set_num_threads(1)
diffusers_logging.set_verbosity_error()

# M1: GQA 2 (4 heads, 2 KV heads), one refiner layer per stream, out_channels from in_channels.
# M2: GQA 4 (4 heads, 1 KV head), ffn_dim_multiplier, explicit out_channels, another eps and RoPE split.
MODELS = {
    "M1": dict(sample_size=16, patch_size=2, in_channels=4, out_channels=None, hidden_size=64, num_layers=2,
               num_refiner_layers=1, num_attention_heads=4, num_kv_heads=2, multiple_of=32,
               ffn_dim_multiplier=None, norm_eps=1e-5, scaling_factor=1.0, axes_dim_rope=[4, 6, 6],
               axes_lens=[40, 32, 32], cap_feat_dim=24),
    "M2": dict(sample_size=16, patch_size=2, in_channels=4, out_channels=8, hidden_size=96, num_layers=2,
               num_refiner_layers=2, num_attention_heads=4, num_kv_heads=1, multiple_of=16,
               ffn_dim_multiplier=1.3, norm_eps=1e-6, scaling_factor=1.0, axes_dim_rope=[8, 8, 8],
               axes_lens=[24, 20, 20], cap_feat_dim=32),
}

# The published Lumina-Image 2.0 transformer (Alpha-VLLM/Lumina-Image-2.0, transformer/config.json).
REAL = dict(sample_size=128, patch_size=2, in_channels=16, out_channels=None, hidden_size=2304, num_layers=26,
            num_refiner_layers=2, num_attention_heads=24, num_kv_heads=8, multiple_of=256, ffn_dim_multiplier=None,
            norm_eps=1e-5, scaling_factor=1.0, axes_dim_rope=[32, 32, 32], axes_lens=[300, 512, 512],
            cap_feat_dim=2304)

# (model, case name, latent h, latent w, caption length, padding per row, t per row)
# padding: ("right", n) = n valid tokens first (what Lumina2Pipeline's right-padding tokenizer gives),
# ("left", n) = n valid tokens last (diffusers still takes the first n tokens: reproduced, not corrected).
CASES = [
    ("M1", "cfg_padding_nonsquare", 12, 8, 10, [("right", 7), ("right", 4)], [0.3, 0.3]),
    ("M1", "equal_lengths_padded", 8, 8, 8, [("right", 5), ("right", 5)], [0.2, 0.9]),
    ("M1", "full_caption_b1", 6, 10, 6, [("right", 6)], [0.5]),
    ("M1", "left_padding_mixed", 8, 6, 8, [("left", 5), ("right", 8)], [0.7, 0.1]),
    ("M2", "gqa4_padding_nonsquare", 10, 14, 9, [("right", 9), ("right", 3)], [0.0, 1.0]),
    ("M2", "gqa4_equal_full", 8, 12, 5, [("right", 5), ("right", 5)], [0.25, 0.75]),
]


def randomize(model):
    """Moves the ones-initialised norm weights away from 1 and scales the modulation so no path is trivial."""
    g = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for name, p in model.named_parameters():
            leaf = name.split(".")[-1]
            is_linear = any(s in name for s in ("linear", "to_", "x_embedder", "caption_embedder.1"))
            if leaf == "weight" and p.dim() == 1:  # every RMSNorm weight (qk norms, block norms, caption norm)
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            elif "norm1.linear" in name or "norm_out" in name:
                p.copy_(torch.randn(p.shape, generator=g) * (0.5 / math.sqrt(p.shape[-1])))
            elif is_linear and leaf == "bias":
                p.copy_(0.1 * torch.randn(p.shape, generator=g))


def run_case(model, model_bf16, cfg, case, seed):
    _, _, h, w, length, padding, times = case
    g = torch.Generator().manual_seed(seed)
    batch = len(padding)
    latents = torch.randn(batch, cfg["in_channels"], h, w, generator=g)
    caption = torch.randn(batch, length, cfg["cap_feat_dim"], generator=g)
    mask = make_mask(length, padding)
    timestep = torch.tensor(times, dtype=torch.float32)
    with torch.no_grad():
        out = model(latents, timestep, caption, mask, return_dict=False)[0]
        # bf16 reference: inputs rounded to bf16, timestep fp32 (as Lumina2Pipeline passes it).
        out_bf16 = model_bf16(latents.to(torch.bfloat16), timestep, caption.to(torch.bfloat16), mask,
                              return_dict=False)[0]
    return {"latents": latents, "timestep": timestep, "caption": caption, "mask": mask,
            "output": out.contiguous(), "output_bf16": out_bf16.contiguous()}


def dump_rope(model, out_dir):
    """Lumina2RotaryPosEmbed.forward on a padded batch: caption, image and joint tables, as (re, im) pairs."""
    mask = make_mask(10, [("right", 7), ("right", 4)])
    latents = torch.zeros(2, 4, 12, 8)
    _, cap, img, joint, _, _ = model.rope_embedder(latents, mask)
    tensors = {"mask": mask, "caption": torch.view_as_real(cap).contiguous(),
               "image": torch.view_as_real(img).contiguous(), "joint": torch.view_as_real(joint).contiguous()}
    save_file(tensors, os.path.join(out_dir, "rope.safetensors"))


def derived_sizes(model):
    """The sizes diffusers derives from a config, read off the built modules."""
    attn = model.layers[0].attn
    head_dim = attn.to_q.out_features // attn.heads
    return {"head_dim": head_dim, "kv_heads": attn.to_k.out_features // head_dim,
            "out_channels": model.out_channels, "ffn_inner": model.layers[0].feed_forward.linear_1.out_features,
            "conditioning": model.time_caption_embed.timestep_embedder.linear_2.out_features}


def dump_real_shapes(out_dir):
    """Names and shapes of the published transformer, from diffusers on the meta device, and its config.json."""
    with torch.device("meta"):
        model = Lumina2Transformer2DModel(**REAL)
    shapes = {k: list(v.shape) for k, v in model.state_dict().items()}
    total = sum(v.numel() for v in model.parameters())
    folder = os.path.join(out_dir, "real_config")
    os.makedirs(folder, exist_ok=True)
    model.save_config(folder)
    with open(os.path.join(out_dir, "real_shapes.json"), "w") as f:
        json.dump({"shapes": shapes, "total": total, "derived": derived_sizes(model)}, f, indent=0, sort_keys=True)


def dump_broken(model, out_dir):
    """M1 folders with one tensor missing and one tensor of the wrong shape, for the loader's messages."""
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    missing = dict(state)
    del missing["layers.1.attn.norm_k.weight"]
    misshaped = dict(state)
    misshaped["context_refiner.0.feed_forward.linear_3.weight"] = state[
        "context_refiner.0.feed_forward.linear_3.weight"][:-32].contiguous()
    for name, tensors in (("broken_missing", missing), ("broken_shape", misshaped)):
        folder = os.path.join(out_dir, name)
        os.makedirs(folder, exist_ok=True)
        model.save_config(folder)
        save_file(tensors, os.path.join(folder, "diffusion_pytorch_model.safetensors"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    import diffusers
    manifest = {"torch": torch.__version__, "diffusers": diffusers.__version__, "models": {}, "cases": []}
    models = {}
    for name, cfg in MODELS.items():
        torch.manual_seed(0)
        model = Lumina2Transformer2DModel(**cfg).eval()
        randomize(model)
        model.save_pretrained(os.path.join(args.out, name), safe_serialization=True)
        models[name] = model
        manifest["models"][name] = {"derived": derived_sizes(model)}

    for i, case in enumerate(CASES):
        model = models[case[0]]
        tensors = run_case(model, copy.deepcopy(model).to(torch.bfloat16), MODELS[case[0]], case, seed=100 + i)
        save_file(tensors, os.path.join(args.out, f"case_{case[1]}.safetensors"))
        manifest["cases"].append({"model": case[0], "name": case[1]})

    dump_rope(models["M1"], args.out)
    dump_broken(models["M1"], args.out)
    dump_real_shapes(args.out)
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
