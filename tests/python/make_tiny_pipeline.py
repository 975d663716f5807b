#!/usr/bin/env python3
"""Writes a tiny random Lumina-Next pipeline in the exact diffusers folder layout (save_pretrained,
safetensors): model_index.json, transformer/ (LuminaNextDiT2DModel), text_encoder/ (GemmaModel),
vae/ (AutoencoderKL with 4 blocks, so the pipeline's fixed vae_scale_factor 8 holds), scheduler/
(FlowMatchEulerDiscreteScheduler) and tokenizer/ (a Gemma-style BPE tokenizer.json with byte fallback,
tokenizer_config.json, special_tokens_map.json, no tokenizer.model, like the real checkpoint).

Reusable: `make_tiny_pipeline.py --out DIR [--seed N]`; other scripts may `import make_tiny_pipeline` and
call `build_pipeline(seed)` / `save_pipeline(pipe, out)`. Never downloads anything.
"""
import argparse
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch  # noqa: E402

# A small corpus that gives the BPE merges something to learn (with some non-ASCII text for byte fallback).
CORPUS = [
    "a photo of a cat sitting on a red chair",
    "a painting of a mountain lake at sunset, highly detailed",
    "an astronaut riding a horse on the moon",
    "the quick brown fox jumps over the lazy dog",
    "a watercolor of a lighthouse by the sea",
    "portrait of an old man with a white beard",
    "ein Hund im Schnee, café, naïve",
]

# Sizes of the tiny networks (the text encoder width is the transformer's cross-attention width).
TEXT_HIDDEN = 32


def build_tokenizer():
    from tokenizers import Tokenizer, models, normalizers, trainers
    from transformers import GemmaTokenizer

    # Learn merges on the normalized corpus (spaces as "▁", like Gemma), then lay the vocabulary out the way
    # Gemma does: specials first, then the 256 byte-fallback pieces, then the learned pieces.
    trainer_tok = Tokenizer(models.BPE(unk_token="<unk>"))
    trainer_tok.normalizer = normalizers.Replace(" ", "▁")
    trainer = trainers.BpeTrainer(vocab_size=300, show_progress=False, special_tokens=[])
    trainer_tok.train_from_iterator(CORPUS, trainer=trainer)
    learned = json.loads(trainer_tok.to_str())["model"]
    specials = ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>", "<start_of_turn>", "<end_of_turn>"]
    vocab = {}
    for tok in specials + [f"<0x{b:02X}>" for b in range(256)]:
        vocab[tok] = len(vocab)
    for tok, _ in sorted(learned["vocab"].items(), key=lambda kv: kv[1]):
        if tok not in vocab:
            vocab[tok] = len(vocab)
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in learned["merges"]]
    tok = GemmaTokenizer(vocab=vocab, merges=merges, add_bos_token=True, add_eos_token=False,
                         padding_side="right", model_max_length=256)
    return tok


def build_pipeline(seed=0):
    from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler, LuminaNextDiT2DModel, LuminaPipeline
    from transformers import GemmaConfig, GemmaModel

    tokenizer = build_tokenizer()
    torch.manual_seed(seed)
    transformer = LuminaNextDiT2DModel(
        sample_size=16, patch_size=2, in_channels=4, hidden_size=32, num_layers=2, num_attention_heads=4,
        num_kv_heads=2, multiple_of=16, ffn_dim_multiplier=None, norm_eps=1e-5, learn_sigma=True, qk_norm=True,
        cross_attention_dim=TEXT_HIDDEN, scaling_factor=1.0)
    torch.manual_seed(seed + 1)
    text_encoder = GemmaModel(GemmaConfig(
        vocab_size=len(tokenizer), hidden_size=TEXT_HIDDEN, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=1, head_dim=16, max_position_embeddings=512,
        pad_token_id=0, eos_token_id=1, bos_token_id=2, hidden_activation="gelu_pytorch_tanh"))
    torch.manual_seed(seed + 2)
    vae = AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=4, layers_per_block=1,
        block_out_channels=[8, 8, 16, 16],
        down_block_types=["DownEncoderBlock2D"] * 4, up_block_types=["UpDecoderBlock2D"] * 4,
        sample_size=128, scaling_factor=0.13025)
    scheduler = FlowMatchEulerDiscreteScheduler()
    # Random weights are small; scale nothing else so every module is as save_pretrained writes it.
    for module in (transformer, text_encoder, vae):
        module.eval()
    return LuminaPipeline(transformer=transformer, scheduler=scheduler, vae=vae, text_encoder=text_encoder,
                          tokenizer=tokenizer)


def save_pipeline(pipe, out):
    pipe.save_pretrained(out, safe_serialization=True)
    tok_dir = os.path.join(out, "tokenizer")
    # Keep the tokenizer folder like the real checkpoint: tokenizer.json + tokenizer_config.json +
    # special_tokens_map.json, never a sentencepiece tokenizer.model.
    special_map = os.path.join(tok_dir, "special_tokens_map.json")
    if not os.path.exists(special_map):
        tok = pipe.tokenizer
        with open(special_map, "w") as f:
            json.dump({"bos_token": tok.bos_token, "eos_token": tok.eos_token, "pad_token": tok.pad_token,
                       "unk_token": tok.unk_token, "mask_token": tok.mask_token}, f, indent=2)
    model_file = os.path.join(tok_dir, "tokenizer.model")
    if os.path.exists(model_file):
        os.remove(model_file)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    pipe = build_pipeline(args.seed)
    save_pipeline(pipe, args.out)
    print(f"tiny LuminaPipeline written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
