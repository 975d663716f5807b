#!/usr/bin/env python3
"""Single-file fixtures for the Lumina-Image 2.0 transformer loader (core/models/lumina2/lumina2_single_file.h).

Rebuilds the tiny random diffusers transformers of make_lumina2_transformer_fixtures.py (same configs, seed and
randomisation, so the same parameters), saves each as a diffusers folder and as one .safetensors file in the
original Lumina-Image 2.0 layout (the inverse of diffusers' convert_lumina2_to_diffusers, with the fused
attention.qkv and the unused norm_final of the original checkpoints), checks that diffusers' own conversion maps
that file back to the diffusers state dict exactly and detects it as "lumina2", and writes the bad files the
loader must refuse.
"""
import argparse
import json
import os

import torch
from safetensors.torch import save_file

from diffusers import Lumina2Transformer2DModel
from diffusers.loaders.single_file_utils import convert_lumina2_to_diffusers, infer_diffusers_model_type
from diffusers.utils import logging as diffusers_logging
from make_lumina2_transformer_fixtures import MODELS, randomize

torch.set_num_threads(1)
diffusers_logging.set_verbosity_error()

PREFIX = "model.diffusion_model."
# Top-level renames of convert_lumina2_to_diffusers (LUMINA_KEY_MAP embedders, FINAL_LAYER_MAP), diffusers -> original.
TOP = [("time_caption_embed.timestep_embedder.linear_1.", "t_embedder.mlp.0."),
       ("time_caption_embed.timestep_embedder.linear_2.", "t_embedder.mlp.2."),
       ("time_caption_embed.caption_embedder.", "cap_embedder."),
       ("norm_out.linear_1.", "final_layer.adaLN_modulation.1."),
       ("norm_out.linear_2.", "final_layer.linear.")]
# Block renames (LUMINA_KEY_MAP, ATTENTION_NORM_MAP, CONTEXT_REFINER_MAP), diffusers -> original.
BLOCK = {"attn.to_out.0.weight": "attention.out.weight", "attn.norm_q.weight": "attention.q_norm.weight",
         "attn.norm_k.weight": "attention.k_norm.weight", "norm1.norm.weight": "attention_norm1.weight",
         "norm1.weight": "attention_norm1.weight", "norm1.linear.weight": "adaLN_modulation.1.weight",
         "norm1.linear.bias": "adaLN_modulation.1.bias", "norm2.weight": "attention_norm2.weight",
         "ffn_norm1.weight": "ffn_norm1.weight", "ffn_norm2.weight": "ffn_norm2.weight",
         "feed_forward.linear_1.weight": "feed_forward.w1.weight",
         "feed_forward.linear_2.weight": "feed_forward.w2.weight",
         "feed_forward.linear_3.weight": "feed_forward.w3.weight"}
# convert_lumina_attn_to_diffusers splits qkv at these fixed sizes (the published model's q and k/v widths).
PUBLISHED_Q, PUBLISHED_KV = 2304, 768


def build(cfg):
    """The model of make_lumina2_transformer_fixtures.py for `cfg`: same seed, same randomisation."""
    torch.manual_seed(0)
    model = Lumina2Transformer2DModel(**cfg).eval()
    randomize(model)
    return model


def to_original(state, hidden):
    """diffusers state dict -> original Lumina-Image 2.0 layout (inverse of convert_lumina2_to_diffusers)."""
    out = {}
    for key, t in state.items():
        top = [o + key[len(d):] for d, o in TOP if key.startswith(d)]
        if top or key.startswith("x_embedder."):
            out[top[0] if top else key] = t
            continue
        group, index, rest = key.split(".", 2)
        block = f"{group}.{index}."
        if rest in ("attn.to_k.weight", "attn.to_v.weight"):
            continue
        if rest == "attn.to_q.weight":
            out[block + "attention.qkv.weight"] = torch.cat(
                [t, state[block + "attn.to_k.weight"], state[block + "attn.to_v.weight"]])
            continue
        out[block + BLOCK[rest]] = t
    g = torch.Generator().manual_seed(7)
    out["norm_final.weight"] = 1.0 + 0.1 * torch.randn(hidden, generator=g)  # unused by the reference
    return {k: v.contiguous() for k, v in out.items()}


def check_with_diffusers(original, state):
    """convert_lumina2_to_diffusers(original) == state exactly. Its qkv split sizes are the published model's,
    so each fused qkv is first spread into blocks of those sizes (zero rows after each part) and each part is
    cut back to its real size after the conversion: the keys, the q/k/v order and every value are checked."""
    padded = {}
    for key, t in original.items():
        if key.endswith("attention.qkv.weight"):
            block = key[:-len("attention.qkv.weight")]
            rows = [state[block + f"attn.to_{p}.weight"].shape[0] for p in "qkv"]
            parts = torch.split(t, rows)
            slots = [PUBLISHED_Q, PUBLISHED_KV, PUBLISHED_KV]
            t = torch.cat([torch.cat([p, p.new_zeros(s - p.shape[0], p.shape[1])]) for p, s in zip(parts, slots)])
        padded[key] = t.clone()
    assert infer_diffusers_model_type(padded) == "lumina2"
    converted = convert_lumina2_to_diffusers(padded)
    assert set(converted) == set(state), (set(converted) ^ set(state))
    for key, t in state.items():
        got = converted[key][: t.shape[0]] if ".attn.to_" in key and key[-8:] in ("q.weight", "k.weight",
                                                                                "v.weight") else converted[key]
        assert torch.equal(got, t), key


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    manifest = {"models": {}}
    for name, cfg in MODELS.items():
        model = build(cfg)
        model.save_pretrained(os.path.join(args.out, name), safe_serialization=True)
        state = {k: v.contiguous() for k, v in model.state_dict().items()}
        original = to_original(state, cfg["hidden_size"])
        check_with_diffusers(original, state)
        save_file(original, os.path.join(args.out, f"{name}_original.safetensors"))
        manifest["models"][name] = {"axes_dim_rope": cfg["axes_dim_rope"], "axes_lens": cfg["axes_lens"],
                                    "norm_eps": cfg["norm_eps"], "tensors": len(original)}
        if name != "M1":
            continue
        save_file({k: v.to(torch.bfloat16) for k, v in original.items()},
                  os.path.join(args.out, "M1_original_bf16.safetensors"))
        # An all-in-one checkpoint: the transformer under the ComfyUI prefix, with text-encoder and VAE tensors.
        everything = {PREFIX + k: v for k, v in original.items()}
        everything["text_encoders.gemma2_2b.transformer.model.embed_tokens.weight"] = torch.randn(8, 4)
        everything["first_stage_model.decoder.conv_in.weight"] = torch.randn(8, 16, 3, 3)
        save_file(everything, os.path.join(args.out, "M1_all_in_one.safetensors"))
        # Bad files.
        truncated = dict(original)
        del truncated["noise_refiner.0.attention.k_norm.weight"]
        truncated["pad_token"] = torch.zeros(cfg["hidden_size"])
        save_file(truncated, os.path.join(args.out, "bad_truncated.safetensors"))
        misshaped = dict(original)  # layers.1 loses one key/value head: 2 rows of head_dim fewer
        head_dim = cfg["hidden_size"] // cfg["num_attention_heads"]
        misshaped["layers.1.attention.qkv.weight"] = original["layers.1.attention.qkv.weight"][:-2 * head_dim]
        save_file({k: v.contiguous() for k, v in misshaped.items()},
                  os.path.join(args.out, "bad_qkv_rows.safetensors"))
        save_file(state, os.path.join(args.out, "bad_diffusers_layout.safetensors"))
        save_file({"encoder.conv_in.weight": torch.randn(8, 3, 3, 3),
                   "encoder.down.0.block.0.conv1.weight": torch.randn(8, 8, 3, 3),
                   "decoder.conv_in.weight": torch.randn(8, 16, 3, 3)},
                  os.path.join(args.out, "bad_vae.safetensors"))
        save_file({"cap_embedder.0.weight": torch.randn(24), "layers.0.attention.wq.weight": torch.randn(64, 64),
                   "layers.0.attention.wk.weight": torch.randn(64, 64)},
                  os.path.join(args.out, "bad_lumina_next.safetensors"))

    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
