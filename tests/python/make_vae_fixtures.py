#!/usr/bin/env python3
"""Tiny random diffusers AutoencoderKLs and their reference outputs for the C++ VAE parity tests (decode within
1e-5 in fp32 on the CPU, encode). For each config NAME it writes --out/NAME/vae/ (save_pretrained, safetensors; one with the pre-2023
attention names query/key/value/proj_attn) and --out/NAME/ref.safetensors holding:
  latents  diffusion-space latents (as the transformer sees them)
  decoded  vae.decode(latents / scaling_factor [+ shift_factor]).sample
  image01  VaeImageProcessor denormalize: (decoded * 0.5 + 0.5).clamp(0, 1)
  image    an encoder input in [-1, 1];  mean, logvar  of vae.encode(image).latent_dist
  encoded_sample, encoded_mean  diffusion-space latents of `image` the way StableDiffusion3Img2ImgPipeline makes
           them: (retrieve_latents(vae.encode(image), generator) - shift_factor) * scaling_factor with
           torch.Generator("cpu").manual_seed(sample_seed) (the mean with sample_mode="argmax")
  sample_seed  that seed (int64, one element)
FLUX-style configs (16 latent channels, no quant convs, shift factor; the layout of Lumina-Image-2.0's vae/) also
get, in ref.safetensors:
  preview_latent  a (1, 16, h, w) diffusion-space latent;  preview_rgb8  its (h, w, 3) uint8 live preview by ComfyUI's
           Flux latent_rgb_factors (comfy/latent_formats.py, class Flux): round((clamp(F^T x + bias, -1, 1) + 1) * 127.5)
Configs marked single_file also get NAME/single/: the same weights in the original (ldm / BFL) key layout of the
files artists download (ae.safetensors, sdxl_vae.safetensors), written by the inverse of diffusers'
convert_ldm_vae_checkpoint and checked to round-trip through it, plus malformed files for the error paths:
  vae.safetensors        the original layout (attention weights as 1x1 convolutions)
  truncated.safetensors  without decoder.up.0.block.0.conv1.weight, with an extra unused tensor
  transformer.safetensors  a tensor set with no encoder/decoder keys (a transformer file given as the VAE)
  mixed.safetensors      encoder in the diffusers layout, decoder in the original one
  prefixed.safetensors   the original layout under "first_stage_model." (a whole checkpoint's VAE part)
  no_quant.safetensors   without quant_conv / post_quant_conv (a latent format with no known scaling factor
                         when the latents have 4 channels)
Never downloads anything.
"""
import argparse
import json
import os
import re

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402

CONFIGS = {
    # Spec V1: two blocks, x2 up-path, shortcut convs, mid-block attention.
    "v1": dict(block_out_channels=(32, 64), layers_per_block=1, norm_num_groups=8, latent_size=(12, 10)),
    # Three blocks, two resnets per down block (three per up block), no quant_conv.
    "v3": dict(block_out_channels=(16, 32, 48), layers_per_block=2, norm_num_groups=8, use_quant_conv=False,
               latent_size=(6, 7)),
    # Four blocks (SDXL layout, scale 8), shift factor, legacy attention names in the checkpoint.
    "v4_legacy": dict(block_out_channels=(8, 16, 16, 32), layers_per_block=1, norm_num_groups=4,
                      shift_factor=0.1, scaling_factor=0.5, legacy=True, latent_size=(5, 4)),
    # No mid-block attention, no post_quant_conv, 8 latent channels.
    "v2_noattn": dict(block_out_channels=(16, 32), layers_per_block=1, norm_num_groups=4,
                      mid_block_add_attention=False, use_post_quant_conv=False, latent_channels=8,
                      latent_size=(8, 8)),
    # FLUX / Lumina-Image-2.0 layout at toy size: 16 latent channels, no quant convs, FLUX's scaling and shift,
    # two resnets per down block, mid-block attention, 32 norm groups (what the original layout implies).
    "flux": dict(block_out_channels=(32, 32, 64), layers_per_block=2, norm_num_groups=32, latent_channels=16,
                 use_quant_conv=False, use_post_quant_conv=False, scaling_factor=0.3611, shift_factor=0.1159,
                 latent_size=(6, 5), single_file=True),
    # FLUX layout with four blocks (x8, like the published VAE) and small groups.
    "flux_x8": dict(block_out_channels=(8, 16, 16, 32), layers_per_block=1, norm_num_groups=8, latent_channels=16,
                    use_quant_conv=False, use_post_quant_conv=False, scaling_factor=0.3611, shift_factor=0.1159,
                    latent_size=(5, 4)),
    # SDXL layout (4 latent channels, quant convs, 32 groups, shortcut convs) for the single-file loader.
    "sdxl_single": dict(block_out_channels=(32, 64), layers_per_block=1, norm_num_groups=32,
                        latent_size=(6, 6), single_file=True),
}

# ComfyUI's Flux latent_rgb_factors (rows: latent channel; columns: R, G, B) and latent_rgb_factors_bias
# (comfy/latent_formats.py, class Flux).
FLUX_RGB_FACTORS = [
    [-0.0346, 0.0244, 0.0681], [0.0034, 0.0210, 0.0687], [0.0275, -0.0668, -0.0433], [-0.0174, 0.0160, 0.0617],
    [0.0859, 0.0721, 0.0329], [0.0004, 0.0383, 0.0115], [0.0405, 0.0861, 0.0915], [-0.0236, -0.0185, -0.0259],
    [-0.0245, 0.0250, 0.1180], [0.1008, 0.0755, -0.0421], [-0.0515, 0.0201, 0.0011], [0.0428, -0.0012, -0.0036],
    [0.0817, 0.0765, 0.0749], [-0.1264, -0.0522, -0.1103], [-0.0280, -0.0881, -0.0499], [-0.1262, -0.0982, -0.0778],
]
FLUX_RGB_BIAS = [-0.0329, -0.0718, -0.0851]

# Inverse of diffusers loaders/single_file_utils.py convert_ldm_vae_checkpoint (+ update_vae_resnet_ldm_to_diffusers,
# update_vae_attentions_ldm_to_diffusers, DIFFUSERS_TO_LDM_MAPPING["vae"], conv_attn_to_linear).
ATTENTION_TO_ORIGINAL = {"group_norm": "norm", "to_q": "q", "to_k": "k", "to_v": "v", "to_out.0": "proj_out"}


def to_original_key(key, n_blocks):
    part, rest = key.split(".", 1)
    if part not in ("encoder", "decoder"):
        return key  # quant_conv, post_quant_conv
    resnet = lambda tail: tail.replace("conv_shortcut", "nin_shortcut")  # noqa: E731
    rules = [
        (r"conv_norm_out\.(.*)", lambda m: f"norm_out.{m[1]}"),
        (r"down_blocks\.(\d+)\.resnets\.(\d+)\.(.*)", lambda m: f"down.{m[1]}.block.{m[2]}.{resnet(m[3])}"),
        (r"down_blocks\.(\d+)\.downsamplers\.0\.(.*)", lambda m: f"down.{m[1]}.downsample.{m[2]}"),
        (r"up_blocks\.(\d+)\.resnets\.(\d+)\.(.*)",
         lambda m: f"up.{n_blocks - 1 - int(m[1])}.block.{m[2]}.{resnet(m[3])}"),
        (r"up_blocks\.(\d+)\.upsamplers\.0\.(.*)", lambda m: f"up.{n_blocks - 1 - int(m[1])}.upsample.{m[2]}"),
        (r"mid_block\.resnets\.(\d+)\.(.*)", lambda m: f"mid.block_{int(m[1]) + 1}.{resnet(m[2])}"),
        (r"mid_block\.attentions\.0\.(.*)\.(weight|bias)",
         lambda m: f"mid.attn_1.{ATTENTION_TO_ORIGINAL[m[1]]}.{m[2]}"),
        (r"(conv_in|conv_out)\.(.*)", lambda m: f"{m[1]}.{m[2]}"),
    ]
    for pattern, fn in rules:
        m = re.fullmatch(pattern, rest)
        if m:
            return f"{part}.{fn(m)}"
    raise KeyError(key)


def to_original(state_dict, config):
    from diffusers.loaders.single_file_utils import convert_ldm_vae_checkpoint

    n = len(config.block_out_channels)
    original = {}
    for k, v in state_dict.items():
        ok = to_original_key(k, n)
        if ".mid.attn_1." in ok and ok.endswith(".weight") and v.ndim == 2:
            v = v[:, :, None, None]  # the original attention projections are 1x1 convolutions
        assert ok not in original, ok
        original[ok] = v.contiguous()
    # Round trip through diffusers' own converter: every key and value back where it came from.
    back = convert_ldm_vae_checkpoint(dict(original), dict(config))
    assert back.keys() == state_dict.keys(), set(back.keys()) ^ set(state_dict.keys())
    for k, v in state_dict.items():
        assert back[k].shape == v.shape and torch.equal(back[k], v), k
    return original


def write_single_files(folder, vae):
    out = os.path.join(folder, "single")
    os.makedirs(out, exist_ok=True)
    sd = {k: v.contiguous() for k, v in vae.state_dict().items()}
    original = to_original(sd, vae.config)
    save_file(original, os.path.join(out, "vae.safetensors"), metadata={"format": "pt"})
    truncated = dict(original)
    del truncated["decoder.up.0.block.0.conv1.weight"]
    truncated["model_ema.decay"] = torch.ones(1)
    save_file(truncated, os.path.join(out, "truncated.safetensors"), metadata={"format": "pt"})
    g = torch.Generator().manual_seed(7)
    transformer = {"x_embedder.weight": torch.randn(8, 16, generator=g),
                   "layers.0.attention.qkv.weight": torch.randn(24, 8, generator=g),
                   "layers.0.feed_forward.w1.weight": torch.randn(16, 8, generator=g)}
    save_file(transformer, os.path.join(out, "transformer.safetensors"), metadata={"format": "pt"})
    mixed = {k: v for k, v in sd.items() if k.startswith("encoder.")}
    mixed.update({k: v for k, v in original.items() if not k.startswith("encoder.")})
    save_file(mixed, os.path.join(out, "mixed.safetensors"), metadata={"format": "pt"})
    prefixed = {"first_stage_model." + k: v for k, v in original.items()}
    save_file(prefixed, os.path.join(out, "prefixed.safetensors"), metadata={"format": "pt"})
    no_quant = {k: v for k, v in original.items() if "quant_conv" not in k}
    save_file(no_quant, os.path.join(out, "no_quant.safetensors"), metadata={"format": "pt"})
    return len(original)


def preview_reference(g, h, w):
    latent = torch.randn(1, 16, h, w, generator=g) * 2.5
    factors = torch.tensor(FLUX_RGB_FACTORS, dtype=torch.float32)  # (16, 3)
    bias = torch.tensor(FLUX_RGB_BIAS, dtype=torch.float32)
    rgb = (latent[0].permute(1, 2, 0) @ factors + bias).clamp(-1, 1)  # (h, w, 3)
    return latent, torch.round((rgb + 1) * 127.5).to(torch.uint8)


LEGACY = {".to_q.": ".query.", ".to_k.": ".key.", ".to_v.": ".value.", ".to_out.0.": ".proj_attn."}


def build(name, spec, seed):
    from diffusers import AutoencoderKL

    spec = dict(spec)
    latent_size = spec.pop("latent_size")
    legacy = spec.pop("legacy", False)
    spec.pop("single_file", None)
    n = len(spec["block_out_channels"])
    kwargs = dict(in_channels=3, out_channels=3, latent_channels=4, scaling_factor=0.13025,
                  down_block_types=("DownEncoderBlock2D",) * n, up_block_types=("UpDecoderBlock2D",) * n)
    kwargs.update(spec)
    torch.manual_seed(seed)
    vae = AutoencoderKL(**kwargs).eval()
    # Norm weights away from 1 and biases away from 0 so every affine path is exercised.
    with torch.no_grad():
        for pname, p in vae.named_parameters():
            if "norm" in pname and pname.endswith("weight"):
                p.copy_(1 + 0.2 * torch.randn_like(p))
            elif pname.endswith("bias"):
                p.copy_(0.1 * torch.randn_like(p))
    return vae, latent_size, legacy


def main():
    global retrieve_latents
    from diffusers.pipelines.stable_diffusion_3.pipeline_stable_diffusion_3_img2img import retrieve_latents
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    for i, (name, spec) in enumerate(CONFIGS.items()):
        vae, (lh, lw), legacy = build(name, spec, args.seed + i)
        folder = os.path.join(args.out, name)
        vae.save_pretrained(os.path.join(folder, "vae"), safe_serialization=True)
        if legacy:
            path = os.path.join(folder, "vae", "diffusion_pytorch_model.safetensors")
            sd = load_file(path)
            renamed = {}
            for k, v in sd.items():
                for new, old in LEGACY.items():
                    if ".attentions." in k and new in k:
                        k = k.replace(new, old)
                        break
                renamed[k] = v
            assert renamed.keys() != sd.keys()
            save_file(renamed, path, metadata={"format": "pt"})
        cfg = vae.config
        g = torch.Generator().manual_seed(100 + i)
        latents = torch.randn(2, cfg.latent_channels, lh, lw, generator=g) * 0.8
        f = 2 ** (len(cfg.block_out_channels) - 1)
        image = torch.rand(1, 3, lh * f, lw * f, generator=g) * 2 - 1
        with torch.no_grad():
            z = latents / cfg.scaling_factor
            if cfg.shift_factor is not None:
                z = z + cfg.shift_factor
            decoded = vae.decode(z).sample
            image01 = (decoded * 0.5 + 0.5).clamp(0, 1)
            dist = vae.encode(image).latent_dist
            sample_seed = 200 + i
            sample = retrieve_latents(vae.encode(image), generator=torch.Generator("cpu").manual_seed(sample_seed))
            mean = retrieve_latents(vae.encode(image), sample_mode="argmax")
            shift = cfg.shift_factor if cfg.shift_factor is not None else 0.0
            encoded_sample = (sample - shift) * cfg.scaling_factor if cfg.shift_factor is not None \
                else sample * cfg.scaling_factor
            encoded_mean = (mean - shift) * cfg.scaling_factor if cfg.shift_factor is not None \
                else mean * cfg.scaling_factor
        extra = {}
        if cfg.latent_channels == 16:
            extra["preview_latent"], extra["preview_rgb8"] = preview_reference(g, 7, 9)
        single = write_single_files(folder, vae) if spec.get("single_file") else 0
        save_file({**extra, "latents": latents, "decoded": decoded.contiguous(), "image01": image01.contiguous(),
                   "image": image, "mean": dist.mean.contiguous(), "logvar": dist.logvar.contiguous(),
                   "encoded_sample": encoded_sample.contiguous(), "encoded_mean": encoded_mean.contiguous(),
                   "sample_seed": torch.tensor([sample_seed], dtype=torch.int64)},
                  os.path.join(folder, "ref.safetensors"))
        with open(os.path.join(folder, "info.json"), "w") as fh:
            json.dump({"torch": torch.__version__, "threads": 1, "legacy_names": legacy}, fh)
        print(f"{name}: decoded {tuple(decoded.shape)}, mean {tuple(dist.mean.shape)}"
              + (f", single file {single} tensors" if single else ""))


if __name__ == "__main__":
    main()
