#!/usr/bin/env python3
"""A tiny Lumina-Image 2.0 pipeline given as the single files artists download, with diffusers' reference runs,
for the end-to-end single-file tests (tests/pipeline/test_single_file_cli.cpp; docs/lumina2.md, Single-file
weights).

A single file states no configuration: the loaders take what the tensor shapes cannot tell from the published
Lumina-Image-2.0 configs (Gemma 2: head_dim 256, query_pre_attn_scalar 256, soft-capping 50, sliding window 4096;
transformer: axes_dim_rope [32, 32, 32], axes_lens [300, 512, 512], norm_eps 1e-5; VAE: 32 norm groups, scaling
0.3611, shift 0.1159; scheduler: shift 6, static). So the tiny models here use exactly those values and are small
only where the shapes say so (widths, layer counts, vocabulary).

Writes under --out:
  pipeline/                   Lumina2Pipeline.save_pretrained of the same models (the folder form, for comparison)
  all_in_one.safetensors      ComfyUI's checkpoint layout: model.diffusion_model. (original-layout transformer),
                              text_encoders.gemma2_2b.transformer.model. (Gemma 2), text_encoders.gemma2_2b.logit_scale,
                              text_encoders.spiece_model (the tokenizer.model bytes), vae. (original-layout VAE)
  all_in_one_bf16.safetensors the same checkpoint stored in bf16 (as Comfy-Org ships it)
  transformer.safetensors, gemma2.safetensors (with spiece_model), gemma2_no_tokenizer.safetensors,
  vae.safetensors             Comfy-Org's split files
  vae_other.safetensors       another VAE of the same shapes (other random weights), to give instead of the
                              checkpoint's own
  truncated.safetensors       the all-in-one file cut short
  lora.safetensors            a rank-2 LoRA (diffusers/PEFT form) for this transformer
  <case>.safetensors          final latents [1, 16, H/8, W/8] float32 and the decoded image HWC float32 in [0, 1]
  cases.json                  each case's settings as the app's request JSON
fp32, CPU, seeds through torch.Generator("cpu").
"""
import argparse
import json
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

import make_tiny_pipeline  # noqa: E402
from make_lumina2_files_fixtures import TE_PREFIX, tokenizer_folder, train_sentencepiece  # noqa: E402
from make_lumina2_pipeline_fixtures import (randomize_norms, request_json, run_diffusers, run_official,  # noqa: E402
                                            run_with_lora, write_lora)
from make_lumina2_single_file_fixtures import to_original as transformer_original  # noqa: E402
from make_vae_fixtures import to_original as vae_original  # noqa: E402

TEXT_HIDDEN = 32

CASES = [
    dict(name="diffusers_square", prompt="a photo of a cat sitting on a red chair", width=128, height=128, steps=3,
         seed=21),
    dict(name="official_nonsquare", preset="lumina2-official", prompt="a watercolor of a lighthouse by the sea",
         negative="blurry", width=160, height=96, steps=2, seed=22),
]


def build_vae(seed):
    """A FLUX-format VAE with the published layout rules (32 groups, x8, 16 channels, no quant convs)."""
    from diffusers import AutoencoderKL

    torch.manual_seed(seed)
    return AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=16, norm_num_groups=32, layers_per_block=1,
        block_out_channels=[32, 32, 32, 32], down_block_types=["DownEncoderBlock2D"] * 4,
        up_block_types=["UpDecoderBlock2D"] * 4, use_quant_conv=False, use_post_quant_conv=False,
        sample_size=128, scaling_factor=0.3611, shift_factor=0.1159).eval()


def build_pipeline(tokenizer, seed=3):
    from diffusers import FlowMatchEulerDiscreteScheduler, Lumina2Pipeline, Lumina2Transformer2DModel
    from transformers import Gemma2Config, Gemma2Model

    torch.manual_seed(seed)
    # Head dimension 96 = the published RoPE split [32, 32, 32]; two heads, one key/value head.
    transformer = Lumina2Transformer2DModel(
        sample_size=16, patch_size=2, in_channels=16, out_channels=None, hidden_size=192, num_layers=2,
        num_refiner_layers=1, num_attention_heads=2, num_kv_heads=1, multiple_of=256, ffn_dim_multiplier=None,
        norm_eps=1e-5, scaling_factor=1.0, axes_dim_rope=[32, 32, 32], axes_lens=[300, 512, 512],
        cap_feat_dim=TEXT_HIDDEN)
    randomize_norms(transformer, seed + 10)
    torch.manual_seed(seed + 1)
    config = Gemma2Config(
        vocab_size=len(tokenizer), hidden_size=TEXT_HIDDEN, intermediate_size=64, num_hidden_layers=3,
        num_attention_heads=2, num_key_value_heads=1, head_dim=256, max_position_embeddings=512,
        hidden_activation="gelu_pytorch_tanh", query_pre_attn_scalar=256, attn_logit_softcapping=50.0,
        final_logit_softcapping=30.0, sliding_window=4096, rms_norm_eps=1e-6, rope_theta=10000.0, pad_token_id=0,
        eos_token_id=1, bos_token_id=2)
    text_encoder = Gemma2Model(config)
    vae = build_vae(seed + 2)
    scheduler = FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift=6.0)
    for module in (transformer, text_encoder, vae):
        module.eval()
    pipe = Lumina2Pipeline(transformer=transformer, scheduler=scheduler, vae=vae, text_encoder=text_encoder,
                           tokenizer=tokenizer)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def single_files(pipe, spiece):
    """The pipeline's weights in ComfyUI's layouts: (all-in-one, transformer, text encoder, VAE)."""
    t_state = {k: v.contiguous() for k, v in pipe.transformer.state_dict().items()}
    transformer = transformer_original(t_state, pipe.transformer.config.hidden_size)
    gemma = {"model." + k: v.contiguous() for k, v in pipe.text_encoder.state_dict().items()}
    vae = vae_original({k: v.contiguous() for k, v in pipe.vae.state_dict().items()}, pipe.vae.config)
    everything = {"model.diffusion_model." + k: v for k, v in transformer.items()}
    everything.update({TE_PREFIX + k[len("model."):]: v for k, v in gemma.items()})
    everything["text_encoders.gemma2_2b.logit_scale"] = torch.tensor(4.6055)
    everything["text_encoders.spiece_model"] = spiece
    everything.update({"vae." + k: v for k, v in vae.items()})
    return everything, transformer, gemma, vae


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    out = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    model_bytes = train_sentencepiece()
    tokenizer = tokenizer_folder(model_bytes, out)
    shutil.rmtree(out / "tokenizer")  # the pipeline folder below keeps its own copy
    spiece = torch.frombuffer(bytearray(model_bytes), dtype=torch.uint8)  # ComfyUI's serialize_model()
    pipe = build_pipeline(tokenizer)
    make_tiny_pipeline.save_pipeline(pipe, str(out / "pipeline"))

    everything, transformer, gemma, vae = single_files(pipe, spiece)
    save_file(everything, str(out / "all_in_one.safetensors"))
    save_file({k: v.to(torch.bfloat16) if v.is_floating_point() else v for k, v in everything.items()},
              str(out / "all_in_one_bf16.safetensors"))
    save_file(transformer, str(out / "transformer.safetensors"))
    save_file({**gemma, "spiece_model": spiece}, str(out / "gemma2.safetensors"))
    save_file(gemma, str(out / "gemma2_no_tokenizer.safetensors"))
    save_file(vae, str(out / "vae.safetensors"))
    other = build_vae(99)
    save_file(vae_original({k: v.contiguous() for k, v in other.state_dict().items()}, other.config),
              str(out / "vae_other.safetensors"))
    data = (out / "all_in_one.safetensors").read_bytes()
    (out / "truncated.safetensors").write_bytes(data[: len(data) * 3 // 4])

    lora_file = str(out / "lora.safetensors")
    write_lora(pipe.transformer, lora_file, seed=5)
    # At least 256 pixels a side: the studio's smallest size (tests/gui/test_real_engine.cpp runs this case).
    cases = CASES + [dict(name="lora_0_7", prompt="a red fox in fresh snow", width=320, height=256, steps=3,
                          seed=23, lora_path=lora_file, lora_scale=0.7)]
    manifest = []
    for case in cases:
        if "lora_path" in case:
            latents, image = run_with_lora(pipe, case, case["lora_path"])
        elif case.get("preset") == "lumina2-official":
            latents, image = run_official(pipe, case)
        else:
            latents, image = run_diffusers(pipe, case)
        save_file({"latents": latents.float().contiguous(), "image": image.contiguous()},
                  str(out / (case["name"] + ".safetensors")))
        manifest.append({"name": case["name"], "request": request_json(case)})
    (out / "cases.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    print(f"{len(manifest)} single-file Lumina 2 cases written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
