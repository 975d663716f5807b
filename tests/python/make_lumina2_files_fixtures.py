#!/usr/bin/env python3
"""Fixtures for the Lumina-Image 2.0 single files (docs/lumina2.md, Single-file weights): the Gemma 2 text
encoder as ComfyUI saves it, its embedded SentencePiece tokenizer, and an all-in-one checkpoint.

Writes under --out:
  tokenizer/            the diffusers tokenizer folder: transformers' GemmaTokenizer built from a small SentencePiece
                        BPE model trained here (Gemma's special, control and user-defined pieces), saved with
                        save_pretrained (tokenizer.json + tokenizer_config.json, add_bos_token true), no
                        tokenizer.model (so the C++ folder load reads tokenizer.json, not the same bytes)
  text_encoder/         a tiny random transformers Gemma2Model (save_pretrained), vocabulary = the tokenizer's
  gemma2_comfy.safetensors       the same weights with ComfyUI's keys ("model." + Gemma2Model keys) and the
                                 tokenizer.model bytes as the uint8 tensor "spiece_model"
  gemma2_no_tokenizer.safetensors  as above without spiece_model
  transformer/, vae/    the tiny Lumina 2 transformer (M1 of make_lumina2_transformer_fixtures.py) and FLUX-layout VAE
                        ("flux" of make_vae_fixtures.py) as diffusers folders
  transformer_original.safetensors, vae_flux.safetensors  the transformer and the VAE alone in their original
                        layouts (Comfy-Org's split files)
  all_in_one.safetensors  ComfyUI's checkpoint layout: model.diffusion_model. (original-layout transformer),
                        text_encoders.gemma2_2b.transformer.model. (Gemma 2), text_encoders.gemma2_2b.logit_scale,
                        text_encoders.spiece_model, vae. (original-layout VAE)
  bad_*.safetensors     a leftover tensor outside every component, a leftover inside the text encoder, a
                        truncated all-in-one file
  reference.safetensors ids/mask of the prompts (transformers' tokenizer, right padding) and Gemma2Model's
                        hidden_states[-2] for them
  manifest.json         prompts and their ids, the tiny encoder's unstored config values
"""
import argparse
import io
import json
import os
import random
import shutil
from pathlib import Path

import sentencepiece as spm
import torch
from safetensors.torch import save_file
from transformers import Gemma2Config, Gemma2Model, GemmaTokenizer

from make_gemma_fixtures import randomize as randomize_gemma
from make_lumina2_single_file_fixtures import MODELS, build as build_transformer, to_original as transformer_original
from make_vae_fixtures import CONFIGS as VAE_CONFIGS, build as build_vae, to_original as vae_original

torch.set_num_threads(1)

# The piece kinds of Gemma's tokenizer.model: control pieces (<mask>, [multimodal], <unusedN>) and user-defined
# ones (chat turns, newline runs, HTML tags), which transformers turns into added tokens.
CONTROL = ["<mask>", "[multimodal]", "<unused0>", "<unused1>"]
USER_DEFINED = ["<start_of_turn>", "<end_of_turn>", "\n\n", "\n\n\n", "<h1>", "</h1>"]
TRAINING = [
    "a photo of an astronaut riding a horse on the moon, highly detailed",
    "You are an assistant designed to generate superior images with the superior degree of image-text alignment",
    "a watercolor of a lighthouse by the sea at dusk, waves crashing",
    "一只可爱的猫坐在窗台上，阳光明媚",
    "富士山と桜、美しい日本の風景",
    "서울의 밤거리, 네온사인이 빛나는 풍경",
    "Кошка сидит на подоконнике в лучах солнца",
]
PROMPTS = [
    "You are an assistant designed to generate superior images. <Prompt Start> a cat on the moon",
    "a lighthouse at dusk",
    "<start_of_turn>user\nDraw a cat<end_of_turn> <mask> [multimodal] <unused1>",
    "new\nlines\n\nand\n\n\nmore\n\n\n\n <h1>Title</h1>",
    "<bos> typed <pad> <eos> <unk> tokens",
    "一只可爱的猫, 富士山, 서울, Кошка 🐱🎉 ünïcödé",
    "  leading and trailing spaces  ",
    "",
]
# The tiny encoder: what the file cannot state (head_dim and the Gemma 2 attention settings) goes to the C++
# test through the manifest, as the published values would for the real file.
GEMMA = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=4, num_attention_heads=4,
             num_key_value_heads=2, head_dim=8, hidden_activation="gelu_pytorch_tanh", query_pre_attn_scalar=12,
             attn_logit_softcapping=1.5, sliding_window=4, final_logit_softcapping=30.0, rms_norm_eps=1e-6,
             rope_theta=10000.0)
TE_PREFIX = "text_encoders.gemma2_2b.transformer.model."


def train_sentencepiece():
    rng = random.Random(3)
    lines = TRAINING * 4 + ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(50)) for _ in range(60)]
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=buf, model_type="bpe", vocab_size=420, hard_vocab_limit=False,
        byte_fallback=True, character_coverage=1.0, pad_id=0, eos_id=1, bos_id=2, unk_id=3, pad_piece="<pad>",
        eos_piece="<eos>", bos_piece="<bos>", unk_piece="<unk>", user_defined_symbols=USER_DEFINED,
        control_symbols=CONTROL, normalization_rule_name="identity", add_dummy_prefix=False,
        remove_extra_whitespaces=False, allow_whitespace_only_pieces=True, split_digits=True, num_threads=1,
        minloglevel=2)
    return buf.getvalue()


def tokenizer_folder(model_bytes, out):
    """The diffusers tokenizer/ folder of this SentencePiece model, as transformers writes it."""
    staging = out / "tokenizer_staging"
    staging.mkdir()
    (staging / "tokenizer.model").write_bytes(model_bytes)
    (staging / "tokenizer_config.json").write_text(json.dumps(
        {"add_bos_token": True, "add_eos_token": False, "tokenizer_class": "GemmaTokenizer"}))
    GemmaTokenizer.from_pretrained(str(staging)).save_pretrained(str(out / "tokenizer"))
    shutil.rmtree(staging)
    model_file = out / "tokenizer" / "tokenizer.model"
    if model_file.exists():
        model_file.unlink()
    return GemmaTokenizer.from_pretrained(str(out / "tokenizer"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    out = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    model_bytes = train_sentencepiece()
    tok = tokenizer_folder(model_bytes, out)
    spiece = torch.frombuffer(bytearray(model_bytes), dtype=torch.uint8)  # ComfyUI's serialize_model()
    ids = [tok(p)["input_ids"] for p in PROMPTS]

    # Text encoder.
    torch.manual_seed(11)
    cfg = Gemma2Config(vocab_size=len(tok), max_position_embeddings=64, pad_token_id=0, bos_token_id=2,
                       eos_token_id=1, **GEMMA)
    cfg._attn_implementation = "eager"
    gemma = Gemma2Model(cfg).eval()
    randomize_gemma(gemma, 211)
    gemma.save_pretrained(out / "text_encoder")
    gemma_state = {k: v.contiguous() for k, v in gemma.state_dict().items()}
    comfy = {"model." + k: v for k, v in gemma_state.items()}
    save_file(comfy, str(out / "gemma2_no_tokenizer.safetensors"))
    save_file({**comfy, "spiece_model": spiece}, str(out / "gemma2_comfy.safetensors"))

    batch = tok(PROMPTS[:4], padding=True, padding_side="right", return_tensors="pt")
    with torch.no_grad():
        hidden = gemma(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                       output_hidden_states=True).hidden_states[-2]
    save_file({"ids": batch["input_ids"].contiguous(), "mask": batch["attention_mask"].contiguous(),
               "hidden_m2": hidden.contiguous()}, str(out / "reference.safetensors"))

    # Transformer and VAE.
    transformer = build_transformer(MODELS["M1"])
    transformer.save_pretrained(out / "transformer", safe_serialization=True)
    t_state = {k: v.contiguous() for k, v in transformer.state_dict().items()}
    t_original = transformer_original(t_state, MODELS["M1"]["hidden_size"])
    save_file(t_original, str(out / "transformer_original.safetensors"))
    vae, _, _ = build_vae("flux", VAE_CONFIGS["flux"], 5)
    vae.save_pretrained(out / "vae", safe_serialization=True)
    v_original = vae_original({k: v.contiguous() for k, v in vae.state_dict().items()}, vae.config)
    save_file(v_original, str(out / "vae_flux.safetensors"))

    everything = {"model.diffusion_model." + k: v for k, v in t_original.items()}
    everything.update({TE_PREFIX + k: v for k, v in gemma_state.items()})
    everything["text_encoders.gemma2_2b.logit_scale"] = torch.tensor(4.6055)
    everything["text_encoders.spiece_model"] = spiece
    everything.update({"vae." + k: v for k, v in v_original.items()})
    save_file(everything, str(out / "all_in_one.safetensors"))

    save_file({**everything, "cond_stage_model.extra.weight": torch.zeros(4)},
              str(out / "bad_leftover.safetensors"))
    save_file({**everything, TE_PREFIX + "layers.0.extra.weight": torch.zeros(4)},
              str(out / "bad_text_encoder_leftover.safetensors"))
    data = (out / "all_in_one.safetensors").read_bytes()
    (out / "bad_truncated.safetensors").write_bytes(data[: len(data) * 2 // 3])

    manifest = {
        "prompts": PROMPTS, "ids": ids, "vocab_size": len(tok),
        "gemma": {k: GEMMA[k] for k in ("head_dim", "query_pre_attn_scalar", "attn_logit_softcapping",
                                        "sliding_window", "rms_norm_eps", "rope_theta")},
        "gemma_layers": GEMMA["num_hidden_layers"],
        "transformer": {k: MODELS["M1"][k] for k in ("axes_dim_rope", "axes_lens", "norm_eps")},
        "all_in_one_tensors": len(everything),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
