#!/usr/bin/env python3
"""Writes a random-weight Lumina-Next pipeline in the diffusers folder layout for the benchmarks:

  --preset real  the published sizes: Next-DiT 2B (hidden 2304, 24 layers, 32/8 heads) and Gemma-2B (18 layers,
                 hidden 2048, vocab 256000) in bf16, the SDXL VAE (128-512 channels) in fp32; about 8.3 GB.
                 Built on the GPU when there is one (seconds instead of minutes).
  --preset mid   a mid-size pipeline for CPU benchmarks: Next-DiT hidden 384, 6 layers, 6/2 heads; Gemma hidden
                 256, 4 layers; a 4-block VAE with 32-64 channels (fp32).

The tokenizer is the small Gemma-style BPE of tests/python/make_tiny_pipeline.py (its ids are valid for any
vocabulary size). Weights use the libraries' default initialisation. Nothing is downloaded. Skips the work
when OUT/model_index.json exists.
"""
import argparse
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "python"))

import torch  # noqa: E402

import make_tiny_pipeline  # noqa: E402

PRESETS = {
    "real": dict(
        transformer=dict(sample_size=128, patch_size=2, in_channels=4, hidden_size=2304, num_layers=24,
                         num_attention_heads=32, num_kv_heads=8, multiple_of=256, ffn_dim_multiplier=None,
                         norm_eps=1e-5, learn_sigma=True, qk_norm=True, cross_attention_dim=2048,
                         scaling_factor=1.0),
        text=dict(vocab_size=256000, hidden_size=2048, intermediate_size=16384, num_hidden_layers=18,
                  num_attention_heads=8, num_key_value_heads=1, head_dim=256, max_position_embeddings=8192),
        vae=dict(block_out_channels=[128, 256, 512, 512], layers_per_block=2, norm_num_groups=32,
                 sample_size=1024),
        dtype=torch.bfloat16, vae_dtype=torch.float32),
    "mid": dict(
        transformer=dict(sample_size=64, patch_size=2, in_channels=4, hidden_size=384, num_layers=6,
                         num_attention_heads=6, num_kv_heads=2, multiple_of=64, ffn_dim_multiplier=None,
                         norm_eps=1e-5, learn_sigma=True, qk_norm=True, cross_attention_dim=256,
                         scaling_factor=1.0),
        text=dict(vocab_size=None, hidden_size=256, intermediate_size=1024, num_hidden_layers=4,
                  num_attention_heads=4, num_key_value_heads=1, head_dim=64, max_position_embeddings=512),
        vae=dict(block_out_channels=[32, 32, 64, 64], layers_per_block=2, norm_num_groups=16, sample_size=512),
        dtype=torch.float32, vae_dtype=torch.float32),
}


def build(preset, device):
    from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler, LuminaNextDiT2DModel, LuminaPipeline
    from transformers import GemmaConfig, GemmaModel

    p = PRESETS[preset]
    tokenizer = make_tiny_pipeline.build_tokenizer()
    text = dict(p["text"])
    text["vocab_size"] = text["vocab_size"] or len(tokenizer)
    torch.manual_seed(0)
    with torch.device(device):
        transformer = LuminaNextDiT2DModel(**p["transformer"]).to(p["dtype"]).eval()
        with torch.no_grad():  # as in the published checkpoint: attn2's query is attn1's (the shared path)
            for layer in transformer.layers:
                layer.attn2.to_q.weight.copy_(layer.attn1.to_q.weight)
                layer.attn2.norm_q.load_state_dict(layer.attn1.norm_q.state_dict())
        text_encoder = GemmaModel(GemmaConfig(pad_token_id=0, eos_token_id=1, bos_token_id=2,
                                              hidden_activation="gelu_pytorch_tanh", rms_norm_eps=1e-6,
                                              **text)).to(p["dtype"]).eval()
        n = len(p["vae"]["block_out_channels"])
        vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, scaling_factor=0.13025,
                            down_block_types=["DownEncoderBlock2D"] * n, up_block_types=["UpDecoderBlock2D"] * n,
                            **p["vae"]).to(p["vae_dtype"]).eval()
    return LuminaPipeline(transformer=transformer, scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae,
                          text_encoder=text_encoder, tokenizer=tokenizer)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", choices=sorted(PRESETS), required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if os.path.exists(os.path.join(args.out, "model_index.json")):
        print(f"{args.out}: exists", file=sys.stderr)
        return
    start = time.time()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    pipe = build(args.preset, device)
    make_tiny_pipeline.save_pipeline(pipe, args.out)
    print(f"{args.preset} pipeline written to {args.out} in {time.time() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
