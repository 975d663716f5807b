#!/usr/bin/env python3
"""Reference runs on a tiny random pipeline for the C++ end-to-end parity tests (tests/pipeline/
test_pipeline_parity.cpp, test_generate_cli.cpp): diffusers' LuminaPipeline for the `diffusers` preset, and the
official Lumina-T2X sampler (official_lumina_sampler.py: torchdiffeq.odeint on the official grid around the same
diffusers transformer) for the `lumina` preset.

Writes OUT/pipeline/ (the diffusers folder, tokenizer as the real checkpoint ships it: tokenizer.json, no
tokenizer.model, left padding), per diffusers case OUT/<case>.safetensors and per lumina case
OUT/lumina_<case>.safetensors with the final latents (float32, [1, 4, H/8, W/8]) and the decoded image (float32
HWC in [0, 1]; lumina cases also `image_pil`, the official demo's 8-bit image), plus OUT/cases.json with the
settings (lumina cases as the app's request JSON); image-to-image references (img2img_references.py) as
OUT/img2img_<case>.safetensors with their init images under OUT/img2img/. fp32, CPU, seeds through
torch.Generator("cpu").
"""
import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

import img2img_references  # noqa: E402
import make_tiny_pipeline  # noqa: E402
import official_lumina_sampler as official  # noqa: E402

CASES = [
    # name, prompt, negative, width, height, steps, guidance, seed
    ("square_cfg", "a photo of a cat sitting on a red chair", "", 128, 128, 4, 4.0, 0),
    ("nonsquare_cfg", "a watercolor of a lighthouse by the sea", "blurry", 192, 128, 3, 5.0, 1),
    ("no_guidance", "an astronaut riding a horse on the moon", "", 128, 96, 3, 1.0, 2),
    ("extrapolated_2x", "portrait of an old man with a white beard", "", 256, 256, 2, 4.0, 3),
    ("multilingual", "ein hund im schnee, café, naïve 猫 ねこ", "", 128, 128, 2, 4.0, 4),
    ("steps_1", "the quick brown fox", "", 128, 128, 1, 4.0, 5),
]

# The `lumina` preset against the official sampler. The tiny transformer's native size is 128 (sample_size 16
# times the VAE's 8), so 256x256 is the 2x extrapolation. Keys not given take the preset's values (official demo
# defaults: midpoint, shift 4, guidance 4, time-aware RoPE with watershed 0.3, proportional attention).
LUMINA_DEFAULTS = {"negative": "", "sampler": "midpoint", "shift": 4.0, "guidance": 4.0, "rope": "time-aware",
                   "watershed": 0.3, "proportional": True, "cfg_channels": "3", "schedule": "uniform",
                   "kappa": 6.0}
LONG_NEGATIVE = ("blurry, low quality, watermark, text, extra fingers, deformed hands, "
                 "a painting of a mountain lake at sunset, highly detailed")
LUMINA_CASES = [
    dict(name="native_midpoint", prompt="a photo of a cat sitting on a red chair", width=128, height=128, steps=3,
         seed=0),
    dict(name="native_euler_5", prompt="a watercolor of a lighthouse by the sea", negative="blurry", width=128,
         height=128, steps=5, sampler="euler", seed=1),
    dict(name="nonsquare_rk4", prompt="an astronaut riding a horse on the moon", width=160, height=96, steps=2,
         sampler="rk4", seed=2),
    dict(name="extrapolated_2x_midpoint", prompt="portrait of an old man with a white beard", width=256,
         height=256, steps=3, seed=3),
    dict(name="extrapolated_2x_rk4_1", prompt="portrait of an old man with a white beard", width=256, height=256,
         steps=1, sampler="rk4", seed=3),
    dict(name="extrapolated_nonsquare_euler_4", prompt="a painting of a mountain lake at sunset", width=256,
         height=128, steps=4, sampler="euler", seed=4),
    # The same run as extrapolated_2x_midpoint with each RoPE rule: the rule must matter.
    dict(name="extrapolated_2x_rope_none", prompt="portrait of an old man with a white beard", width=256,
         height=256, steps=3, rope="none", seed=3),
    dict(name="extrapolated_2x_rope_ntk", prompt="portrait of an old man with a white beard", width=256,
         height=256, steps=3, rope="ntk", seed=3),
    dict(name="extrapolated_2x_rope_linear", prompt="portrait of an old man with a white beard", width=256,
         height=256, steps=3, rope="linear", seed=3),
    dict(name="extrapolated_2x_no_proportional", prompt="portrait of an old man with a white beard", width=256,
         height=256, steps=2, sampler="euler", proportional=False, seed=5),
    dict(name="cfg_all_channels", prompt="a photo of a cat sitting on a red chair", width=128, height=128, steps=2,
         cfg_channels="all", guidance=6.0, seed=6),
    dict(name="multilingual", prompt="ein Hund im Schnee, café, naïve 猫 ねこ", width=128, height=128, steps=2,
         seed=7),
    # The app's own sigmoid spacing (not in the official code) under the same integrator.
    dict(name="sigmoid_midpoint", prompt="a photo of a cat sitting on a red chair", width=128, height=128, steps=4,
         schedule="sigmoid", seed=10),
    # Where the official code and diffusers disagree (docs/sampling.md). A negative prompt longer than the
    # prompt: the demo tokenizes both as one batch, so it is never cut to the prompt's length.
    dict(name="long_negative", prompt="a cat", negative=LONG_NEGATIVE, width=128, height=128, steps=2, seed=8,
         contrast="negative_cut"),
    # Euler, 8 steps, shift 3: grid point 6 is fp32(0.7) = 0.69999998807907, below 0.7 in double (the demo's
    # t[0].item() < scale_watershed: linear) but not below fp32(0.7) (an fp32 comparison: NTK).
    dict(name="watershed_on_grid_point", prompt="portrait of an old man with a white beard", width=256,
         height=256, steps=8, sampler="euler", shift=3.0, watershed=0.7, seed=9, contrast="watershed_fp32"),
]


def randomize_zero_init(transformer, seed):
    """Training starts gates, adaLN and the final layer at zero; random values make every path count."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in transformer.named_parameters():
            if name.endswith("gate") or ".norm1.linear." in name or name.startswith("norm_out."):
                p.copy_(torch.randn(p.shape, generator=g) * 0.3)
        for layer in transformer.layers:  # the shipped checkpoint duplicates the query projection
            layer.attn2.to_q.weight.copy_(layer.attn1.to_q.weight)
            layer.attn2.norm_q.weight.copy_(layer.attn1.norm_q.weight)
            layer.attn2.norm_q.bias.copy_(layer.attn1.norm_q.bias)


def lumina_request(case):
    """The app's request JSON (core/pipeline/request.cpp toJson keys) for one lumina case."""
    return {"preset": "lumina", "prompt": case["prompt"], "negative_prompt": case["negative"],
            "width": case["width"], "height": case["height"], "seed": case["seed"], "steps": case["steps"],
            "sampler": case["sampler"], "schedule": case["schedule"], "guidance": case["guidance"],
            "time_shift": case["shift"], "rope_scaling": case["rope"], "watershed": case["watershed"],
            "proportional_attention": case["proportional"], "cfg_channels": case["cfg_channels"],
            "sigmoid_kappa": case["kappa"], "device": "cpu", "dtype": "fp32"}


def sigmoid_grid(steps, kappa, shift):
    """docs/sampling.md, "Sigmoid time discretization": logistic spacing normalized to [0, 1] in float64, cast to
    fp32, then the official time shift."""
    sig = lambda z: 1.0 / (1.0 + math.exp(-z))  # noqa: E731
    low, high = sig(-kappa / 2), sig(kappa / 2)
    u = [(sig(kappa * (j / steps - 0.5)) - low) / (high - low) for j in range(steps + 1)]
    u[0], u[-1] = 0.0, 1.0
    u = torch.tensor(u, dtype=torch.float64).float()
    return u / (u + shift - shift * u)


def official_run(pipe, case, cap_feats, cap_mask, watershed=None):
    height, width = case["height"], case["width"]
    z = torch.randn((1, 4, height // 8, width // 8), generator=torch.Generator("cpu").manual_seed(case["seed"]))
    image_size = pipe.transformer.config.sample_size * pipe.vae_scale_factor
    return official.sample(
        pipe.transformer, z, cap_feats, cap_mask, steps=case["steps"], solver=case["sampler"],
        t_shift=case["shift"], cfg_scale=case["guidance"], width=width, height=height, image_size=image_size,
        scaling=case["rope"], watershed=case["watershed"] if watershed is None else watershed,
        proportional_attn=case["proportional"],
        guided_channels=3 if case["cfg_channels"] == "3" else pipe.transformer.config.in_channels,
        grid=sigmoid_grid(case["steps"], case["kappa"], case["shift"]) if case["schedule"] == "sigmoid" else None)


def rel_l2(a, b):
    return float((a - b).norm() / b.norm())


def lumina_references(pipe, out):
    """The official sampler on each LUMINA_CASES entry; contrast runs check that a case can tell the official
    rule from diffusers' (their distance is recorded and must be large)."""
    import numpy as np

    official.use_official_attention(pipe.transformer)
    cases = []
    for spec in LUMINA_CASES:
        case = dict(LUMINA_DEFAULTS, **spec)
        cap_feats, cap_mask = official.encode_prompt([case["prompt"], case["negative"]], pipe.text_encoder,
                                                     pipe.tokenizer)
        latents = official_run(pipe, case, cap_feats, cap_mask)
        image = official.decode(pipe.vae, latents)
        entry = {"name": case["name"], "request": lumina_request(case), "tokens": int(cap_mask.shape[1])}
        if case.get("contrast") == "negative_cut":
            # diffusers' rule: the prompt alone, then the negative cut and padded to the prompt's length.
            pos_feats, pos_mask = official.encode_prompt([case["prompt"]], pipe.text_encoder, pipe.tokenizer)
            cut = pipe.tokenizer([case["negative"]], padding="max_length", max_length=pos_mask.shape[1],
                                 truncation=True, return_tensors="pt")
            with torch.no_grad():
                neg_feats = pipe.text_encoder(input_ids=cut.input_ids, attention_mask=cut.attention_mask,
                                              output_hidden_states=True).hidden_states[-2]
            other = official_run(pipe, case, torch.cat([pos_feats, neg_feats]),
                                 torch.cat([pos_mask, cut.attention_mask]))
            entry["contrast_rel_l2"] = rel_l2(other, latents)
            entry["prompt_tokens"] = int(pos_mask.shape[1])
        elif case.get("contrast") == "watershed_fp32":
            fp32_watershed = float(np.float32(case["watershed"]))  # the fp32 rule, as a double
            assert fp32_watershed < case["watershed"]
            other = official_run(pipe, case, cap_feats, cap_mask, watershed=fp32_watershed)
            entry["contrast_rel_l2"] = rel_l2(other, latents)
        save_file({"latents": latents.float().contiguous(),
                   "image": image.permute(1, 2, 0).float().contiguous(),
                   "image_pil": official.to_pil_levels(image)},
                  os.path.join(out, f"lumina_{case['name']}.safetensors"))
        cases.append(entry)
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)

    pipe = make_tiny_pipeline.build_pipeline(seed=0)
    randomize_zero_init(pipe.transformer, 7)
    pipe.tokenizer.padding_side = "left"  # the class default, which the real checkpoint keeps
    folder = os.path.join(args.out, "pipeline")
    make_tiny_pipeline.save_pipeline(pipe, folder)
    pipe = pipe.__class__.from_pretrained(folder, torch_dtype=torch.float32)  # exactly what C++ loads
    pipe.set_progress_bar_config(disable=True)

    cases = []
    for name, prompt, negative, width, height, steps, guidance, seed in CASES:
        captured = {}

        def keep_latents(p, i, t, kwargs):
            captured["latents"] = kwargs["latents"].detach().clone()
            return kwargs

        out = pipe(prompt=prompt, negative_prompt=negative, width=width, height=height,
                   num_inference_steps=steps, guidance_scale=guidance,
                   generator=torch.Generator("cpu").manual_seed(seed), clean_caption=False,
                   output_type="np", callback_on_step_end=keep_latents,
                   callback_on_step_end_tensor_inputs=["latents"])
        image = torch.from_numpy(out.images[0]).float().contiguous()
        save_file({"latents": captured["latents"].float().contiguous(), "image": image},
                  os.path.join(args.out, f"{name}.safetensors"))
        cases.append({"name": name, "prompt": prompt, "negative": negative, "width": width, "height": height,
                      "steps": steps, "guidance": guidance, "seed": seed})
    import torchdiffeq
    env = {"torch": torch.__version__, "torchdiffeq": torchdiffeq.__version__, "threads": torch.get_num_threads(),
           "padding_side": pipe.tokenizer.padding_side,
           "scheduler_shift": pipe.scheduler.config.shift}
    lumina_cases = lumina_references(pipe, args.out)
    img2img_cases = img2img_references.references(pipe, args.out)
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump({"cases": cases, "lumina_cases": lumina_cases, "img2img_cases": img2img_cases,
                   "environment": env}, f, indent=1, ensure_ascii=False)
    print(f"{len(cases)} diffusers, {len(lumina_cases)} official-sampler and {len(img2img_cases)} image-to-image "
          f"reference runs written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
