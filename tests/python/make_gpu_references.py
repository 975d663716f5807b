#!/usr/bin/env python3
"""CUDA references for the gpu-labelled tests (tests/gpu/*.cpp): the reference implementations run on the GPU
over the tiny fixtures the CPU parity suites already write (next_dit, gemma, vae_fixtures, pipeline):

- next_dit.safetensors: diffusers LuminaNextDiT2DModel forward per case, "<case>.fp32" and "<case>.bf16";
- gemma.safetensors: transformers GemmaModel hidden_states[-2], "<model>.<side>.fp32";
- vae.safetensors: diffusers AutoencoderKL decode mapped to [0, 1], "<config>.image01";
- pipeline.safetensors: diffusers LuminaPipeline per diffusers-preset case with
  torch.Generator("cpu").manual_seed(seed), "<case>.latents" and "<case>.image".

fp32 without TF32 (cuBLAS and cuDNN), as the C++ side. Writes OUT/manifest.json with, per component, ok and the
reason when a reference could not be made. Without a CUDA device it writes {"cuda": false} and exits 0 (the
tests then skip and say so); a missing diffusers/transformers is recorded per component, not an error.
"""
import argparse
import json
import os
import sys
import traceback

import torch
from safetensors.torch import load_file, save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def next_dit(fixtures, device):
    from diffusers import LuminaNextDiT2DModel
    from diffusers.models.embeddings import get_2d_rotary_pos_embed_lumina

    root = os.path.join(fixtures, "next_dit")
    manifest = json.load(open(os.path.join(root, "manifest.json")))
    models, out = {}, {}
    for case in manifest["cases"]:
        name = case["model"]
        if name not in models:
            m = LuminaNextDiT2DModel.from_pretrained(os.path.join(root, name), torch_dtype=torch.float32).eval()
            models[name] = (m.to(device), LuminaNextDiT2DModel.from_pretrained(
                os.path.join(root, name), torch_dtype=torch.bfloat16).eval().to(device))
        fp32, bf16 = models[name]
        t = load_file(os.path.join(root, f"case_{case['name']}.safetensors"))
        cfg = fp32.config
        rope = get_2d_rotary_pos_embed_lumina(cfg.hidden_size // cfg.num_attention_heads, 384, 384,
                                              linear_factor=case["linear"], ntk_factor=case["ntk"])
        kwargs = {} if case["base_sequence_length"] is None else {"base_sequence_length": case["base_sequence_length"]}
        mask, timestep = t["mask"].to(device), t["timestep"].to(device)
        with torch.no_grad():
            for suffix, model, dtype in ((".fp32", fp32, torch.float32), (".bf16", bf16, torch.bfloat16)):
                y = model(t["latents"].to(device, dtype), timestep, t["caption"].to(device, dtype), mask,
                          rope.to(device), cross_attention_kwargs=kwargs, return_dict=False)[0]
                out[case["name"] + suffix] = y.float().cpu().contiguous()
    return out


def gemma(fixtures, device):
    from transformers import GemmaModel
    from transformers.activations import ACT2FN

    root = os.path.join(fixtures, "gemma")
    meta = json.load(open(os.path.join(root, "meta.json")))
    out = {}
    for name, info in meta["models"].items():
        model = GemmaModel.from_pretrained(os.path.join(root, name), torch_dtype=torch.float32).eval().to(device)
        act = ACT2FN["gelu" if info["exact_gelu"] else "gelu_pytorch_tanh"]  # as the fixture's in-memory model
        for layer in model.layers:
            layer.mlp.act_fn = act
        ref = load_file(os.path.join(root, f"{name}.reference.safetensors"))
        for side in ("left", "right", "full"):
            with torch.no_grad():
                hs = model(input_ids=ref[f"{side}.ids"].to(device), attention_mask=ref[f"{side}.mask"].to(device),
                           output_hidden_states=True).hidden_states
            out[f"{name}.{side}.fp32"] = hs[-2].float().cpu().contiguous()
    return out


def vae(fixtures, device):
    from diffusers import AutoencoderKL

    root = os.path.join(fixtures, "vae_fixtures")
    out = {}
    for name in sorted(os.listdir(root)):
        if not os.path.isdir(os.path.join(root, name, "vae")):
            continue
        model = AutoencoderKL.from_pretrained(os.path.join(root, name, "vae"), torch_dtype=torch.float32).eval()
        model = model.to(device)
        cfg = model.config
        latents = load_file(os.path.join(root, name, "ref.safetensors"))["latents"].to(device)
        with torch.no_grad():
            z = latents / cfg.scaling_factor
            if cfg.shift_factor is not None:
                z = z + cfg.shift_factor
            out[f"{name}.image01"] = (model.decode(z).sample * 0.5 + 0.5).clamp(0, 1).cpu().contiguous()
    return out


def pipeline(fixtures, device):
    from diffusers import LuminaPipeline

    root = os.path.join(fixtures, "pipeline")
    cases = json.load(open(os.path.join(root, "cases.json")))["cases"]
    pipe = LuminaPipeline.from_pretrained(os.path.join(root, "pipeline"), torch_dtype=torch.float32).to(device)
    pipe.set_progress_bar_config(disable=True)
    out = {}
    for c in cases:
        captured = {}

        def keep(p, i, t, kwargs):
            captured["latents"] = kwargs["latents"].detach().clone()
            return kwargs

        result = pipe(prompt=c["prompt"], negative_prompt=c["negative"], width=c["width"], height=c["height"],
                      num_inference_steps=c["steps"], guidance_scale=c["guidance"],
                      generator=torch.Generator("cpu").manual_seed(c["seed"]), clean_caption=False,
                      output_type="np", callback_on_step_end=keep, callback_on_step_end_tensor_inputs=["latents"])
        out[c["name"] + ".latents"] = captured["latents"].float().cpu().contiguous()
        out[c["name"] + ".image"] = torch.from_numpy(result.images[0]).float().contiguous()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--fixtures", required=True, help="the build's fixtures folder (next_dit, gemma, ...)")
    ap.add_argument("--device", default="cuda", help="cpu: run the same references on the CPU (checks this script)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest = {"torch": torch.__version__, "cuda": torch.cuda.is_available(), "components": {}}
    if torch.cuda.is_available() or args.device == "cpu":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        manifest["device"] = torch.cuda.get_device_name(0) if args.device == "cuda" else "cpu"
        for name, make in (("next_dit", next_dit), ("gemma", gemma), ("vae", vae), ("pipeline", pipeline)):
            try:
                tensors = make(args.fixtures, torch.device(args.device))
                save_file(tensors, os.path.join(args.out, f"{name}.safetensors"))
                manifest["components"][name] = {"ok": True, "tensors": len(tensors)}
            except ImportError as e:
                manifest["components"][name] = {"ok": False, "reason": f"reference package missing: {e}"}
            except Exception as e:  # recorded for the test to report; the other components still run
                traceback.print_exc()
                manifest["components"][name] = {"ok": False, "reason": f"{type(e).__name__}: {e}"}
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps(manifest))


if __name__ == "__main__":
    main()
