#!/usr/bin/env python3
"""Reference runs of a tiny random Lumina-Image 2.0 pipeline for the C++ end-to-end parity tests
(tests/pipeline/test_lumina2_pipeline.cpp, test_generate_cli.cpp): diffusers' Lumina2Pipeline for the `diffusers`
preset and the official sample.py sampler (official_lumina2_sampler.py) for `lumina2-official`.

Writes OUT/pipeline/ (Lumina2Pipeline.save_pretrained: Lumina2Transformer2DModel, Gemma2Model, a 16-channel
FLUX-layout AutoencoderKL with shift_factor, FlowMatchEulerDiscreteScheduler with shift 6 and no dynamic shifting
as Lumina-Image-2.0 ships it, the tiny Gemma-style tokenizer), OUT/pipeline_dynamic/ (the same components with a
use_dynamic_shifting scheduler config), per case OUT/<case>.safetensors (final latents [1, 16, H/8, W/8] float32
and the decoded image HWC float32 in [0, 1]) and OUT/cases.json with each case's settings as the app's request
JSON. fp32, CPU, seeds through torch.Generator("cpu").
"""
import argparse
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

import img2img_references as img2img  # noqa: E402
import make_tiny_pipeline  # noqa: E402
import official_lumina2_sampler as official  # noqa: E402

TEXT_HIDDEN = 32
SUPERIOR = ("You are an assistant designed to generate superior images with the superior degree of image-text "
            "alignment based on textual prompts or user prompts.")
ALIGNMENT = ("You are an assistant designed to generate high-quality images with the highest degree of image-text "
             "alignment based on textual prompts.")

# Keys not given take the diffusers preset's values: diffusers-euler, guidance 4, cfg normalization on, no
# truncation, the default system prompt.
CASES = [
    dict(name="square_cfg_norm", prompt="a photo of a cat sitting on a red chair", width=128, height=128, steps=4,
         seed=0),
    dict(name="nonsquare_plain_cfg", prompt="a watercolor of a lighthouse by the sea", negative="blurry",
         width=160, height=96, steps=3, guidance=5.0, cfg_normalization="off", seed=1),
    dict(name="cfg_trunc_half", prompt="an astronaut riding a horse on the moon", width=128, height=128, steps=4,
         cfg_trunc_ratio=0.5, seed=2),
    dict(name="no_guidance", prompt="portrait of an old man with a white beard", width=96, height=128, steps=3,
         guidance=1.0, seed=3),
    dict(name="system_prompt_multilingual", prompt="ein Hund im Schnee, café, naïve 猫 ねこ", width=128,
         height=128, steps=2, system_prompt=ALIGNMENT, seed=4),
    dict(name="empty_system_prompt", prompt="the quick brown fox", width=128, height=128, steps=2,
         system_prompt="", cfg_trunc_ratio=0.0, seed=5),
    dict(name="dynamic_shift", pipeline="pipeline_dynamic", prompt="a painting of a mountain lake at sunset",
         width=192, height=128, steps=3, seed=6),
    # lumina2-official: midpoint/euler/rk4 on the official grid, the renorm clip, both texts in one batch.
    dict(name="official_midpoint", preset="lumina2-official", prompt="a photo of a cat sitting on a red chair",
         width=128, height=128, steps=3, seed=7),
    dict(name="official_euler_negative", preset="lumina2-official", sampler="euler",
         prompt="a watercolor of a lighthouse by the sea", negative="blurry, low quality", width=160, height=96,
         steps=4, guidance=6.0, seed=8),
    dict(name="official_rk4_trunc_no_norm", preset="lumina2-official", sampler="rk4",
         prompt="an astronaut riding a horse", width=128, height=128, steps=2, cfg_normalization="off",
         cfg_trunc_ratio=0.5, seed=9),
]


# Image-to-image (docs/img2img.md, Lumina-Image 2.0): the init picture, strength and resize rule on top of a case.
IMG2IMG_CASES = [
    dict(name="img2img_diffusers_s06", prompt="a lighthouse at dusk", width=128, height=128, steps=4, seed=31,
         init="pattern_128x128", strength=0.6, resize="fit"),
    dict(name="img2img_diffusers_nonsquare_crop_trunc", prompt="a lighthouse at dusk", negative="blurry",
         width=160, height=96, steps=5, seed=32, init="pattern_160x200", strength=0.5, resize="crop",
         cfg_trunc_ratio=0.7),
    dict(name="img2img_official_midpoint_s06", preset="lumina2-official", prompt="a lighthouse at dusk", width=128,
         height=128, steps=4, seed=33, init="pattern_128x128", strength=0.6, resize="fit"),
    dict(name="img2img_official_euler_strength_1", preset="lumina2-official", sampler="euler",
         prompt="a lighthouse at dusk", width=128, height=128, steps=3, seed=34, init="pattern_160x200",
         strength=1.0, resize="crop"),
]


def run_img2img(pipe, case, pixels):
    """diffusers: the pieces of StableDiffusion3Img2ImgPipeline in its order (img2img_references.diffusers_case's
    rules) and Lumina2Pipeline from those latents on the sliced schedule. lumina2-official: the official grid without
    its first int((N + 1)(1 - s)) points (Lumina-T2X transport.py ODE(strength), the rule the app applies to both
    families' official samplers; Lumina-Image 2.0 ships no image-to-image script), start z (1 - t0) + x0 t0.
    Returns (latents, image, kept steps)."""
    n, s = case["steps"], case["strength"]
    x0, noise = img2img.image_latents_and_noise(pipe.vae, pixels, case["seed"])
    if case.get("preset") == "lumina2-official":
        t_grid = official.grid(n + 1, 6.0)[int((n + 1) * (1 - s)):]
        start = noise * (1 - t_grid[0]) + x0 * t_grid[0]
        system = SUPERIOR
        cap, neg = official.official_texts(case["prompt"], case.get("negative", ""), system)
        pipe.tokenizer.padding_side = "right"
        feats, mask = official.encode([cap, neg], pipe.text_encoder, pipe.tokenizer)
        latents = official.sample(pipe.transformer, start, feats, mask, intervals=n,
                                  solver=case.get("sampler", "midpoint"), t_shift=6.0,
                                  cfg_scale=case.get("guidance", 4.0), renorm=True,
                                  trunc_ratio=case.get("cfg_trunc_ratio", 1.0), t_grid=t_grid)
        vae = pipe.vae
        with torch.no_grad():
            image = vae.decode(latents / vae.config.scaling_factor + vae.config.shift_factor, return_dict=False)[0]
        image = ((image[0] + 1.0) / 2.0).clamp(0.0, 1.0).permute(1, 2, 0).contiguous()
        return latents, image, len(t_grid) - 1
    t_start = int(max(n - min(n * s, n), 0))
    full = pipe.scheduler.__class__.from_config(pipe.scheduler.config)
    full.set_timesteps(sigmas=np.linspace(1.0, 1.0 / n, n))  # Lumina2Pipeline's sigmas
    full.set_begin_index(t_start)
    start = full.scale_noise(x0, full.timesteps[t_start:t_start + 1], noise)
    original = pipe.scheduler
    pipe.scheduler = img2img.sliced_scheduler(original.__class__, original.config, n, t_start)
    # The app truncates guidance by the step's share of the whole schedule (the official code truncates by time),
    # Lumina2Pipeline by its share of the steps it runs: the ratio that makes the pipeline truncate at the same step.
    ratio = case.get("cfg_trunc_ratio", 1.0)
    kept_ratio = ratio if ratio >= 1.0 else (ratio * n - t_start) / (n - t_start)
    try:
        latents, image = run_diffusers(pipe, dict(case, cfg_trunc_ratio=kept_ratio), latents=start)
    finally:
        pipe.scheduler = original
    return latents, image, n - t_start


def randomize_norms(transformer, seed):
    """Norm weights away from 1, so that no path of the network is trivial."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in transformer.named_parameters():
            if name.endswith("weight") and p.dim() == 1:
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))


def build_pipeline(seed=0):
    from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler, Lumina2Pipeline, Lumina2Transformer2DModel
    from transformers import Gemma2Config, Gemma2Model

    tokenizer = make_tiny_pipeline.build_tokenizer()
    torch.manual_seed(seed)
    transformer = Lumina2Transformer2DModel(
        sample_size=16, patch_size=2, in_channels=16, out_channels=None, hidden_size=48, num_layers=2,
        num_refiner_layers=1, num_attention_heads=4, num_kv_heads=2, multiple_of=16, ffn_dim_multiplier=None,
        norm_eps=1e-5, scaling_factor=1.0, axes_dim_rope=[4, 4, 4], axes_lens=[300, 64, 64],
        cap_feat_dim=TEXT_HIDDEN)
    randomize_norms(transformer, seed + 10)
    torch.manual_seed(seed + 1)
    text_encoder = Gemma2Model(Gemma2Config(
        vocab_size=len(tokenizer), hidden_size=TEXT_HIDDEN, intermediate_size=64, num_hidden_layers=3,
        num_attention_heads=4, num_key_value_heads=2, head_dim=8, max_position_embeddings=512,
        hidden_activation="gelu_pytorch_tanh", query_pre_attn_scalar=8, attn_logit_softcapping=50.0,
        final_logit_softcapping=30.0, sliding_window=16, pad_token_id=0, eos_token_id=1, bos_token_id=2))
    torch.manual_seed(seed + 2)
    vae = AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=16, norm_num_groups=8, layers_per_block=1,
        block_out_channels=[8, 16, 16, 32], down_block_types=["DownEncoderBlock2D"] * 4,
        up_block_types=["UpDecoderBlock2D"] * 4, use_quant_conv=False, use_post_quant_conv=False,
        sample_size=128, scaling_factor=0.3611, shift_factor=0.1159)
    scheduler = FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift=6.0)
    for module in (transformer, text_encoder, vae):
        module.eval()
    return Lumina2Pipeline(transformer=transformer, scheduler=scheduler, vae=vae, text_encoder=text_encoder,
                           tokenizer=tokenizer)


def dynamic_copy(out):
    """pipeline_dynamic/: the same components, a scheduler with use_dynamic_shifting (mu from calculate_shift)."""
    from diffusers import FlowMatchEulerDiscreteScheduler
    src, dst = os.path.join(out, "pipeline"), os.path.join(out, "pipeline_dynamic")
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst)
    scheduler = FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift=1.0, use_dynamic_shifting=True,
                                                base_shift=0.4, max_shift=1.3, base_image_seq_len=8,
                                                max_image_seq_len=64)
    shutil.rmtree(os.path.join(dst, "scheduler"))
    scheduler.save_pretrained(os.path.join(dst, "scheduler"))
    return scheduler


def write_lora(transformer, path, seed):
    """A random rank-2 LoRA on every attention projection, in the diffusers/PEFT form (transformer.<module>.
    lora_A/lora_B), as Lumina2Pipeline.save_lora_weights writes it."""
    g = torch.Generator().manual_seed(seed)
    tensors = {}
    for name, module in transformer.named_modules():
        if isinstance(module, torch.nn.Linear) and name.split(".")[-1] in ("to_q", "to_k", "to_v"):
            tensors[f"transformer.{name}.lora_A.weight"] = 0.3 * torch.randn(2, module.in_features, generator=g)
            tensors[f"transformer.{name}.lora_B.weight"] = 0.3 * torch.randn(module.out_features, 2, generator=g)
    save_file(tensors, path)


def run_with_lora(pipe, case, lora_file):
    """load_lora_weights + fuse_lora(lora_scale), the run, then the base weights back."""
    pipe.load_lora_weights(lora_file, adapter_name="case")
    pipe.fuse_lora(lora_scale=case["lora_scale"])
    try:
        return run_diffusers(pipe, case)
    finally:
        pipe.unfuse_lora()
        pipe.unload_lora_weights()


def request_json(case):
    preset = case.get("preset", "diffusers")
    official_preset = preset == "lumina2-official"
    return {"model_family": "lumina2", "preset": preset, "prompt": case["prompt"],
            "negative_prompt": case.get("negative", ""), "width": case["width"], "height": case["height"],
            "steps": case["steps"], "guidance": case.get("guidance", 4.0), "seed": case["seed"],
            "sampler": case.get("sampler", "midpoint" if official_preset else "diffusers-euler"),
            "system_prompt": case.get("system_prompt"),
            "cfg_normalization": case.get("cfg_normalization", "clip" if official_preset else "rows"),
            "cfg_trunc_ratio": case.get("cfg_trunc_ratio", 1.0),
            **({"loras": [{"path": case["lora_path"], "scale": case["lora_scale"]}]} if "lora_path" in case else {}),
            **({"init_image": case["init_path"], "strength": case["strength"], "init_resize": case["resize"]}
               if "init_path" in case else {})}


def run_diffusers(pipe, case, latents=None):
    final = {}

    def keep(_pipe, i, t, kwargs):
        final["latents"] = kwargs["latents"].clone()
        return kwargs

    kwargs = dict(prompt=case["prompt"], negative_prompt=case.get("negative", ""), width=case["width"],
                  height=case["height"], num_inference_steps=case["steps"], guidance_scale=case.get("guidance", 4.0),
                  cfg_trunc_ratio=case.get("cfg_trunc_ratio", 1.0),
                  cfg_normalization=case.get("cfg_normalization", "rows") == "rows",
                  generator=torch.Generator("cpu").manual_seed(case["seed"]), output_type="np",
                  callback_on_step_end=keep, callback_on_step_end_tensor_inputs=["latents"], latents=latents)
    if case.get("system_prompt") is not None:
        kwargs["system_prompt"] = case["system_prompt"]
    with torch.no_grad():
        image = pipe(**kwargs).images[0]
    return final["latents"], torch.from_numpy(image).float()


def run_official(pipe, case):
    system = case.get("system_prompt")
    system = SUPERIOR if system is None else system
    cap, neg = official.official_texts(case["prompt"], case.get("negative", ""), system)
    pipe.tokenizer.padding_side = "right"
    feats, mask = official.encode([cap, neg], pipe.text_encoder, pipe.tokenizer)
    z = torch.randn((1, 16, case["height"] // 8, case["width"] // 8),
                    generator=torch.Generator("cpu").manual_seed(case["seed"]))
    latents = official.sample(pipe.transformer, z, feats, mask, intervals=case["steps"],
                              solver=case.get("sampler", "midpoint"), t_shift=6.0,
                              cfg_scale=case.get("guidance", 4.0),
                              renorm=case.get("cfg_normalization", "clip") == "clip",
                              trunc_ratio=case.get("cfg_trunc_ratio", 1.0))
    vae = pipe.vae
    with torch.no_grad():
        image = vae.decode(latents / vae.config.scaling_factor + vae.config.shift_factor, return_dict=False)[0]
    image = ((image[0] + 1.0) / 2.0).clamp(0.0, 1.0).permute(1, 2, 0).contiguous()
    return latents, image


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    from diffusers import Lumina2Pipeline
    os.makedirs(args.out, exist_ok=True)
    pipe = build_pipeline()
    folder = os.path.join(args.out, "pipeline")
    make_tiny_pipeline.save_pipeline(pipe, folder)
    dynamic = dynamic_copy(args.out)
    pipes = {"pipeline": pipe,
             "pipeline_dynamic": Lumina2Pipeline(transformer=pipe.transformer, scheduler=dynamic, vae=pipe.vae,
                                                 text_encoder=pipe.text_encoder, tokenizer=pipe.tokenizer)}
    for p in pipes.values():
        p.set_progress_bar_config(disable=True)
    lora_file = os.path.join(args.out, "lora.safetensors")
    write_lora(pipe.transformer, lora_file, seed=11)
    cases = CASES + [dict(name="lora_0_8", prompt="a photo of a cat sitting on a red chair", width=128, height=128,
                          steps=3, seed=12, lora_path=lora_file, lora_scale=0.8)]
    manifest = []
    for case in cases:
        which = case.get("pipeline", "pipeline")
        if "lora_path" in case:
            latents, image = run_with_lora(pipes[which], case, case["lora_path"])
        elif case.get("preset") == "lumina2-official":
            latents, image = run_official(pipes[which], case)
        else:
            latents, image = run_diffusers(pipes[which], case)
        save_file({"latents": latents.float().contiguous(), "image": image.contiguous()},
                  os.path.join(args.out, case["name"] + ".safetensors"))
        manifest.append({"name": case["name"], "pipeline": which, "request": request_json(case)})
    inits = img2img.write_init_images(args.out)
    for case in IMG2IMG_CASES:
        case = dict(case, init_path=inits[case["init"]])
        pixels = img2img.prepare_init_image(case["init_path"], case["width"], case["height"], case["resize"])
        latents, image, kept = run_img2img(pipe, case, pixels)
        save_file({"latents": latents.float().contiguous(), "image": image.contiguous()},
                  os.path.join(args.out, case["name"] + ".safetensors"))
        manifest.append({"name": case["name"], "pipeline": "pipeline", "request": request_json(case),
                         "kept_steps": kept})
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
    print(f"{len(manifest)} Lumina 2 pipeline cases written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
