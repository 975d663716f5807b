#!/usr/bin/env python3
"""Parity fixtures for LoRA on the Lumina-Image 2.0 transformer (core/models/lumina2/lumina2_lora.h).

Rebuilds model M1 of make_lumina2_transformer_fixtures.py (saved with save_pretrained), writes random LoRAs in the
formats diffusers' Lumina2LoraLoaderMixin accepts (the diffusers/PEFT form through Lumina2Pipeline.save_lora_weights,
with and without lora_adapter_metadata, and the original `diffusion_model.` form), loads them with diffusers + peft,
fuses them (fuse_lora, set_adapters) and dumps the fused weights of every touched Linear, the fused forward and
the unfused (PEFT) forward. Also writes LoRA files that diffusers refuses, checking here that it does.
"""
import argparse
import contextlib
import copy
import json
import os

import torch
from safetensors.torch import save_file

from diffusers import Lumina2Pipeline, Lumina2Transformer2DModel
from diffusers.loaders import lora_conversion_utils
from diffusers.utils import logging as diffusers_logging
from caption_masks import make_mask
from make_lumina2_transformer_fixtures import MODELS, REAL, randomize

torch.set_num_threads(1)
diffusers_logging.set_verbosity(diffusers_logging.CRITICAL)  # the refused files log errors

CFG = MODELS["M1"]
HIDDEN = CFG["hidden_size"]
KV = HIDDEN // CFG["num_attention_heads"] * CFG["num_kv_heads"]


def linear_shapes(model):
    """Module name -> (out, in) of every nn.Linear of the model."""
    return {n: (m.out_features, m.in_features) for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)}


def diffusers_lora(model, seed, rank, modules, ranks=None, dtype=torch.float32):
    """A PEFT state dict (no `transformer.` prefix) for `modules`, rank `rank` unless `ranks` says otherwise."""
    g = torch.Generator().manual_seed(seed)
    shapes = linear_shapes(model)
    sd = {}
    for name in modules:
        out, inp = shapes[name]
        r = (ranks or {}).get(name, rank)
        sd[f"{name}.lora_A.weight"] = (torch.randn(r, inp, generator=g) / inp ** 0.5).to(dtype)
        sd[f"{name}.lora_B.weight"] = (0.5 * torch.randn(out, r, generator=g) / r ** 0.5).to(dtype)
    return sd


PLAIN_MODULES = ["layers.0.attn.to_q", "layers.0.attn.to_k", "layers.0.attn.to_v", "layers.0.attn.to_out.0",
                 "layers.1.feed_forward.linear_1", "layers.1.feed_forward.linear_2", "layers.1.feed_forward.linear_3",
                 "layers.1.norm1.linear", "noise_refiner.0.attn.to_q", "context_refiner.0.attn.to_v", "x_embedder",
                 "time_caption_embed.caption_embedder.1", "time_caption_embed.timestep_embedder.linear_2",
                 "norm_out.linear_1", "norm_out.linear_2"]
ALPHA_MODULES = ["layers.0.attn.to_q", "layers.0.attn.to_k", "layers.1.attn.to_q", "layers.1.attn.to_out.0",
                 "layers.0.feed_forward.linear_2", "noise_refiner.0.norm1.linear"]


def save_diffusers_lora(path, sd, metadata=None):
    folder, name = os.path.split(path)
    Lumina2Pipeline.save_lora_weights(folder, transformer_lora_layers=sd, weight_name=name,
                                      transformer_lora_adapter_metadata=metadata)


def original_lora(seed, rank, blocks, q_rows, kv_rows, ffn, cond, hidden, dtype=torch.float32):
    """A LoRA in the original layout that _convert_non_diffusers_lumina2_lora_to_diffusers reads: every block of
    `blocks` (group -> count) with its fused qkv, out, w1..w3 and (modulated groups) adaLN_modulation.1."""
    g = torch.Generator().manual_seed(seed)
    sd = {}

    def pair(key, inp, out):
        sd[f"diffusion_model.{key}.lora_A.weight"] = (torch.randn(rank, inp, generator=g) / inp ** 0.5).to(dtype)
        sd[f"diffusion_model.{key}.lora_B.weight"] = (0.5 * torch.randn(out, rank, generator=g)).to(dtype)

    for group, count in blocks.items():
        for i in range(count):
            p = f"{group}.{i}"
            pair(f"{p}.attention.qkv", hidden, q_rows + 2 * kv_rows)
            pair(f"{p}.attention.out", hidden, hidden)
            pair(f"{p}.feed_forward.w1", hidden, ffn)
            pair(f"{p}.feed_forward.w2", ffn, hidden)
            pair(f"{p}.feed_forward.w3", hidden, ffn)
            if group != "context_refiner":
                pair(f"{p}.adaLN_modulation.1", cond, 4 * hidden)
    return sd


@contextlib.contextmanager
def published_split_as(sizes):
    """_convert_non_diffusers_lumina2_lora_to_diffusers splits the fused qkv at the published widths
    [2304, 768, 768]; for the tiny model the same conversion runs with its own widths (the C++ loader splits by
    the model's to_q/to_k/to_v rows, which are those widths for the published model)."""
    original = torch.split

    def split(tensor, split_size, dim=0):
        if list(split_size) == [2304, 768, 768]:
            split_size = sizes
        return original(tensor, split_size, dim=dim)

    lora_conversion_utils.torch.split = split
    try:
        yield
    finally:
        lora_conversion_utils.torch.split = original


def pipeline_of(model):
    return Lumina2Pipeline(transformer=model, scheduler=None, vae=None, text_encoder=None, tokenizer=None)


def inputs(dtype):
    g = torch.Generator().manual_seed(7)
    latents = torch.randn(2, CFG["in_channels"], 12, 8, generator=g)
    caption = torch.randn(2, 10, CFG["cap_feat_dim"], generator=g)
    mask = make_mask(10, [("right", 7), ("right", 4)])
    return latents.to(dtype), torch.tensor([0.3, 0.8]), caption.to(dtype), mask


def forward(model, dtype):
    latents, t, caption, mask = inputs(dtype)
    with torch.no_grad():
        return model(latents, t, caption, mask, return_dict=False)[0].contiguous()


# (case, model dtype, [(lora file, adapter weight)], fuse_lora scale, whether set_adapters is called)
CASES = [
    ("plain_scale_0_7", torch.float32, [("plain.safetensors", None)], 0.7),
    ("plain_scale_1_5", torch.float32, [("plain.safetensors", None)], 1.5),
    ("metadata_alpha", torch.float32, [("alpha.safetensors", None)], 1.0),
    ("rslora_scale_0_9", torch.float32, [("rslora.safetensors", None)], 0.9),
    ("original_scale_0_8", torch.float32, [("original.safetensors", None)], 0.8),
    ("two_loras", torch.float32, [("plain.safetensors", 0.6), ("alpha.safetensors", 1.2)], 0.9),
    ("bf16_two_loras", torch.bfloat16, [("original.safetensors", 0.75), ("bf16_plain.safetensors", 1.1)], 1.0),
]


def run_case(base, out_dir, case):
    name, dtype, loras, scale = case
    model = copy.deepcopy(base).to(dtype)
    pipe = pipeline_of(model)
    names = []
    with published_split_as([HIDDEN, KV, KV]):
        for i, (file, _) in enumerate(loras):
            pipe.load_lora_weights(os.path.join(out_dir, file), adapter_name=f"a{i}")
            names.append(f"a{i}")
    weights = [w for _, w in loras]
    scalings = {n: dict(m.scaling) for n, m in model.named_modules() if hasattr(m, "scaling")}
    if any(w is not None for w in weights):
        pipe.set_adapters(names, [1.0 if w is None else w for w in weights])
    else:
        pipe.set_adapters(names)
    # The unfused (PEFT) forward at the same overall scale, for the tolerance check of the fused weights.
    pipe.set_adapters(names, [(1.0 if w is None else w) * scale for w in weights])
    unfused = forward(model, dtype)
    if any(w is not None for w in weights):
        pipe.set_adapters(names, weights)
    else:
        pipe.set_adapters(names)
    pipe.fuse_lora(lora_scale=scale)
    fused = {f"{n}.weight": m.base_layer.weight.detach().contiguous() for n, m in model.named_modules()
             if hasattr(m, "base_layer") and isinstance(m.base_layer, torch.nn.Linear) and m.merged}
    latents, t, caption, mask = inputs(dtype)
    tensors = {"output_fused": forward(model, dtype), "output_unfused": unfused, "latents": latents, "timestep": t,
               "caption": caption, "mask": mask}
    tensors.update({f"fused/{k}": v for k, v in fused.items()})
    save_file(tensors, os.path.join(out_dir, f"case_{name}.safetensors"))
    return {"name": name, "dtype": str(dtype).removeprefix("torch."), "scale": scale,
            "loras": [{"file": f, "weight": w} for f, w in loras], "fused": sorted(fused),
            "scalings": {n: s for n, s in scalings.items() if s}}


def expect_refused(base, path, what):
    """diffusers must refuse `path` (the C++ loader refuses it too)."""
    pipe = pipeline_of(copy.deepcopy(base))
    try:
        with published_split_as([HIDDEN, KV, KV]):
            pipe.load_lora_weights(path, adapter_name="x")
    except Exception as e:  # noqa: BLE001 - any refusal is what is checked
        return f"{type(e).__name__}: {str(e).splitlines()[0][:160]}"
    raise SystemExit(f"diffusers accepted {what} ({path}); the fixture expected it to refuse it")


def write_bad_files(base, out_dir):
    """Files the C++ loader must refuse, with diffusers' own verdict where it has one."""
    bad = os.path.join(out_dir, "bad")
    os.makedirs(bad, exist_ok=True)
    verdicts = {}
    qkv = dict(q_rows=HIDDEN, kv_rows=KV, ffn=base.layers[0].feed_forward.linear_1.out_features,
               cond=base.layers[0].norm1.linear.in_features, hidden=HIDDEN)
    blocks = {"noise_refiner": 1, "context_refiner": 1, "layers": 2}
    orig = original_lora(11, 2, blocks, **qkv)

    kohya = {k.replace("lora_A", "lora_down").replace("lora_B", "lora_up"): v for k, v in orig.items()}
    save_file(kohya, os.path.join(bad, "original_lora_down.safetensors"))
    with_alpha = dict(orig)
    with_alpha["diffusion_model.layers.0.attention.out.alpha"] = torch.tensor(2.0)
    save_file(with_alpha, os.path.join(bad, "original_alpha.safetensors"))
    incomplete = dict(orig)
    del incomplete["diffusion_model.layers.1.feed_forward.w2.lora_B.weight"]
    save_file(incomplete, os.path.join(bad, "original_incomplete.safetensors"))
    next_dit = {"diffusion_model.layers.0.attention.wq.lora_A.weight": torch.zeros(2, HIDDEN),
                "diffusion_model.layers.0.attention.wq.lora_B.weight": torch.zeros(HIDDEN, 2)}
    save_file(next_dit, os.path.join(bad, "original_lumina_next.safetensors"))

    sd = diffusers_lora(base, 12, 2, ["layers.0.attn.to_k"])
    shape = {"transformer.layers.0.attn.to_k.lora_A.weight": sd["layers.0.attn.to_k.lora_A.weight"][:, :-4],
             "transformer.layers.0.attn.to_k.lora_B.weight": sd["layers.0.attn.to_k.lora_B.weight"]}
    save_file({k: v.contiguous() for k, v in shape.items()}, os.path.join(bad, "wrong_shape.safetensors"))
    alpha_key = {f"transformer.{k}": v for k, v in sd.items()}
    alpha_key["transformer.layers.0.attn.to_k.alpha"] = torch.tensor(2.0)
    save_file(alpha_key, os.path.join(bad, "diffusers_alpha_key.safetensors"))
    other_model = {"transformer.layers.0.attn1.to_q.lora_A.weight": torch.zeros(2, HIDDEN),
                   "transformer.layers.0.attn1.to_q.lora_B.weight": torch.zeros(HIDDEN, 2)}
    save_file(other_model, os.path.join(bad, "lumina_next_diffusers.safetensors"))
    only_a = {"transformer.layers.0.attn.to_k.lora_A.weight": sd["layers.0.attn.to_k.lora_A.weight"]}
    save_file(only_a, os.path.join(bad, "missing_lora_b.safetensors"))
    rank_metadata = os.path.join(bad, "metadata_rank_mismatch.safetensors")
    save_diffusers_lora(rank_metadata, sd, {"r": 4, "lora_alpha": 4, "target_modules": ["to_k"]})
    for name, what in (("original_lora_down.safetensors", "lora_down/lora_up keys in the original form"),
                       ("original_alpha.safetensors", "an .alpha key in the original form"),
                       ("original_incomplete.safetensors", "an original-form block without w2's lora_B"),
                       ("original_lumina_next.safetensors", "Lumina-Next attention.wq keys"),
                       ("wrong_shape.safetensors", "a lora_A of the wrong width"),
                       ("diffusers_alpha_key.safetensors", "an .alpha key in the diffusers form"),
                       ("lumina_next_diffusers.safetensors", "keys of modules the model does not have"),
                       ("metadata_rank_mismatch.safetensors", "metadata r = 4 for a rank-2 file")):
        verdicts[name] = expect_refused(base, os.path.join(bad, name), what)

    # Refused here, where diffusers only warns or does nothing (docs/lumina2.md, LoRA).
    sdxl = {"lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight": torch.zeros(2, 8),
            "lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight": torch.zeros(8, 2)}
    save_file(sdxl, os.path.join(bad, "sdxl_kohya.safetensors"))
    save_file({}, os.path.join(bad, "empty.safetensors"))
    good = os.path.join(out_dir, "plain.safetensors")
    with open(good, "rb") as f:
        data = f.read()
    with open(os.path.join(bad, "truncated.safetensors"), "wb") as f:
        f.write(data[: len(data) - 100])
    dora = {f"transformer.{k}": v for k, v in sd.items()}
    dora["transformer.layers.0.attn.to_k.lora_magnitude_vector"] = torch.ones(KV)
    save_file(dora, os.path.join(bad, "dora.safetensors"))
    return verdicts


def write_published_width_original(out_dir):
    """A rank-1 original-form LoRA at the published widths, and diffusers' conversion of it (no model needed)."""
    ffn = 4 * REAL["hidden_size"]
    kv = REAL["hidden_size"] // REAL["num_attention_heads"] * REAL["num_kv_heads"]
    sd = original_lora(21, 1, {"noise_refiner": 1, "context_refiner": 1, "layers": 2}, REAL["hidden_size"], kv,
                       ffn, 1024, REAL["hidden_size"], dtype=torch.bfloat16)
    path = os.path.join(out_dir, "published_original.safetensors")
    save_file(sd, path)
    converted = Lumina2Pipeline.lora_state_dict(path)
    save_file({k: v.clone() for k, v in converted.items()},  # the q, k, v lora_A share one tensor
              os.path.join(out_dir, "published_original_converted.safetensors"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    out = args.out
    os.makedirs(out, exist_ok=True)

    torch.manual_seed(0)
    base = Lumina2Transformer2DModel(**CFG).eval()
    randomize(base)
    base.save_pretrained(os.path.join(out, "M1"), safe_serialization=True)

    save_diffusers_lora(os.path.join(out, "plain.safetensors"),
                        diffusers_lora(base, 1, 4, PLAIN_MODULES, ranks={"layers.0.attn.to_k": 2, "x_embedder": 3}))
    save_diffusers_lora(os.path.join(out, "bf16_plain.safetensors"),
                        diffusers_lora(base, 2, 3, PLAIN_MODULES[:8], dtype=torch.bfloat16))
    alpha_ranks = {"layers.1.attn.to_q": 2}
    save_diffusers_lora(os.path.join(out, "alpha.safetensors"), diffusers_lora(base, 3, 4, ALPHA_MODULES, alpha_ranks),
                        {"r": 4, "lora_alpha": 6, "rank_pattern": alpha_ranks,
                         "alpha_pattern": {"layers.0.attn.to_k": 3, "to_out.0": 1.5},
                         "target_modules": sorted({m.split(".")[-1] for m in ALPHA_MODULES})})
    save_diffusers_lora(os.path.join(out, "rslora.safetensors"), diffusers_lora(base, 4, 4, ALPHA_MODULES[:4]),
                        {"r": 4, "lora_alpha": 5, "use_rslora": True, "target_modules": ["to_q", "to_k", "to_out.0"]})
    ffn = base.layers[0].feed_forward.linear_1.out_features
    cond = base.layers[0].norm1.linear.in_features
    save_file(original_lora(5, 3, {"noise_refiner": CFG["num_refiner_layers"],
                                   "context_refiner": CFG["num_refiner_layers"], "layers": CFG["num_layers"]},
                            HIDDEN, KV, ffn, cond, HIDDEN),
              os.path.join(out, "original.safetensors"))

    import diffusers
    import peft
    manifest = {"torch": torch.__version__, "diffusers": diffusers.__version__, "peft": peft.__version__,
                "cases": [run_case(base, out, case) for case in CASES]}
    manifest["refused_by_diffusers"] = write_bad_files(base, out)
    write_published_width_original(out)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
