#!/usr/bin/env python3
"""Reference runs of diffusers' LuminaPipeline on a tiny random pipeline, for the C++ end-to-end parity
test (tests/pipeline/test_pipeline_parity.cpp).

Writes OUT/pipeline/ (the diffusers folder, tokenizer as the real checkpoint ships it: tokenizer.json, no
tokenizer.model, left padding) and, per case, OUT/<case>.safetensors with the final latents (float32,
[1, 4, H/8, W/8]) and the decoded image (float32 HWC in [0, 1]) plus OUT/cases.json with the settings.
fp32, CPU, clean_caption=False, lowercase prompts, seeds through torch.Generator("cpu").
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

import make_tiny_pipeline  # noqa: E402

CASES = [
    # name, prompt, negative, width, height, steps, guidance, seed
    ("square_cfg", "a photo of a cat sitting on a red chair", "", 128, 128, 4, 4.0, 0),
    ("nonsquare_cfg", "a watercolor of a lighthouse by the sea", "blurry", 192, 128, 3, 5.0, 1),
    ("no_guidance", "an astronaut riding a horse on the moon", "", 128, 96, 3, 1.0, 2),
    ("extrapolated_2x", "portrait of an old man with a white beard", "", 256, 256, 2, 4.0, 3),
    ("multilingual", "ein hund im schnee, café, naïve 猫 ねこ", "", 128, 128, 2, 4.0, 4),
    ("steps_1", "the quick brown fox", "", 128, 128, 1, 4.0, 5),
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
    env = {"torch": torch.__version__, "threads": torch.get_num_threads(),
           "padding_side": pipe.tokenizer.padding_side,
           "scheduler_shift": pipe.scheduler.config.shift}
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump({"cases": cases, "environment": env}, f, indent=1, ensure_ascii=False)
    print(f"{len(cases)} pipeline reference runs written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
