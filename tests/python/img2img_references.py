"""Image-to-image references on the tiny pipeline of make_pipeline_fixtures.py (docs/img2img.md), for
tests/pipeline/test_pipeline_parity.cpp and test_generate_cli.cpp.

diffusers has no Lumina image-to-image pipeline, so the `diffusers` preset is checked against diffusers' own pieces
in the order StableDiffusion3Img2ImgPipeline (pipelines/stable_diffusion_3/pipeline_stable_diffusion_3_img2img.py)
uses them: get_timesteps (t_start = int(max(N - min(N * s, N), 0)), the full N-step schedule sliced),
prepare_latents (retrieve_latents(vae.encode(image), generator) scaled by scaling_factor, then randn_tensor from the
same CPU generator, then FlowMatchEulerDiscreteScheduler.scale_noise at the first kept timestep), and LuminaPipeline
run from those latents on that sliced schedule. The `lumina` preset is checked against Lumina-T2X
lumina_next_t2i_mini/sample_img2img.py with transport.py ODE(strength): the official grid of N + 1 points without its
first int((N + 1) * (1 - s)) points, start z * (1 - t0) + x1 * t0, then the official sampler (torchdiffeq.odeint).
Both presets draw the posterior sample and then the noise from one torch.Generator("cpu").manual_seed(seed).

The init image is prepared as the app does: read as float (8-bit values / 255), centre-cropped to the target's aspect
ratio for `crop`, resized with Pillow's LANCZOS filter on 32-bit float channels (mode "F"), clamped to [0, 1], then
2x - 1 (VaeImageProcessor.normalize). Each reference file also keeps that prepared image (`init_pixels`, HWC), so the
C++ resampler is checked against Pillow on its own.
"""
import math
import os

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file

import official_lumina_sampler as official

# name, preset, init image (file stem), width, height, steps, strength, resize, seed, sampler (lumina only)
CASES = [
    dict(name="diffusers_square_s06", preset="diffusers", init="pattern_128x128", width=128, height=128, steps=4,
         strength=0.6, resize="fit", seed=11),
    dict(name="diffusers_nonsquare_fit_s05", preset="diffusers", init="pattern_160x200", width=192, height=128,
         steps=4, strength=0.5, resize="fit", seed=12),
    dict(name="diffusers_strength_1", preset="diffusers", init="pattern_128x128", width=128, height=128, steps=3,
         strength=1.0, resize="fit", seed=13),
    dict(name="diffusers_strength_03", preset="diffusers", init="pattern_128x128", width=128, height=128, steps=10,
         strength=0.3, resize="fit", seed=14),
    dict(name="diffusers_extrapolated_2x_crop", preset="diffusers", init="pattern_160x200", width=256, height=256,
         steps=3, strength=0.6, resize="crop", seed=15),
    dict(name="lumina_square_midpoint_s06", preset="lumina", init="pattern_128x128", width=128, height=128,
         steps=4, strength=0.6, resize="fit", seed=21, sampler="midpoint"),
    dict(name="lumina_nonsquare_crop_euler_s05", preset="lumina", init="pattern_128x128", width=160, height=96,
         steps=5, strength=0.5, resize="crop", seed=22, sampler="euler"),
    dict(name="lumina_strength_1", preset="lumina", init="pattern_128x128", width=128, height=128, steps=3,
         strength=1.0, resize="fit", seed=23, sampler="midpoint"),
    dict(name="lumina_strength_03", preset="lumina", init="pattern_160x200", width=128, height=128, steps=10,
         strength=0.3, resize="fit", seed=24, sampler="euler"),
    dict(name="lumina_extrapolated_2x_midpoint", preset="lumina", init="pattern_160x200", width=256, height=256,
         steps=3, strength=0.6, resize="fit", seed=25, sampler="midpoint"),
]
PROMPT = "a watercolor of a lighthouse by the sea"
NEGATIVE = "blurry"


def write_init_images(folder):
    """8-bit RGB PNGs with structure at every scale (gradients, a disc, seeded noise)."""
    paths = {}
    for w, h in ((128, 128), (160, 200)):
        y, x = np.mgrid[0:h, 0:w].astype(np.float64)
        rng = np.random.default_rng(w * 1000 + h)
        disc = ((x - w * 0.6) ** 2 + (y - h * 0.4) ** 2 < (min(w, h) * 0.25) ** 2).astype(np.float64)
        rgb = np.stack([x / (w - 1), y / (h - 1), 0.5 + 0.4 * np.sin(x / 7.0) * np.cos(y / 5.0)], axis=-1)
        rgb = 0.7 * rgb + 0.3 * disc[..., None] + 0.08 * rng.standard_normal((h, w, 3))
        levels = np.clip(np.round(rgb * 255.0), 0, 255).astype(np.uint8)
        path = os.path.join(folder, f"pattern_{w}x{h}.png")
        Image.fromarray(levels, "RGB").save(path)
        paths[f"pattern_{w}x{h}"] = path
    return paths


def crop_to_aspect(rgb, width, height):
    """core/image/resample.cpp cropToAspect: the centred region of the target's aspect ratio, size rounded half away
    from zero, offsets floor((W - w') / 2)."""
    h, w = rgb.shape[:2]
    cw, ch = w, h
    if w * height > width * h:
        cw = max(1, math.floor(h * width / height + 0.5))
    elif w * height < width * h:
        ch = max(1, math.floor(w * height / width + 0.5))
    x0, y0 = (w - cw) // 2, (h - ch) // 2
    return rgb[y0:y0 + ch, x0:x0 + cw]


def prepare_init_image(path, width, height, resize):
    """The prepared init image as float32 HWC in [0, 1] (see the module docstring)."""
    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / np.float32(255.0)
    if resize == "crop":
        rgb = crop_to_aspect(rgb, width, height)
    if rgb.shape[1] != width or rgb.shape[0] != height:
        channels = [np.asarray(Image.fromarray(np.ascontiguousarray(rgb[..., c]), "F").resize(
            (width, height), Image.Resampling.LANCZOS), dtype=np.float32) for c in range(3)]
        rgb = np.stack(channels, axis=-1)
    return torch.from_numpy(np.clip(rgb, 0.0, 1.0).astype(np.float32))


def image_latents_and_noise(vae, pixels, seed):
    """prepare_latents' draws: the posterior sample first, then the noise, from one seeded CPU generator."""
    from diffusers.pipelines.stable_diffusion_3.pipeline_stable_diffusion_3_img2img import retrieve_latents
    from diffusers.utils.torch_utils import randn_tensor

    generator = torch.Generator("cpu").manual_seed(seed)
    image = pixels.permute(2, 0, 1).unsqueeze(0) * 2.0 - 1.0
    with torch.no_grad():
        x0 = retrieve_latents(vae.encode(image), generator=generator)
    if vae.config.shift_factor is not None:
        x0 = x0 - vae.config.shift_factor
    x0 = x0 * vae.config.scaling_factor
    noise = randn_tensor(x0.shape, generator=generator, dtype=x0.dtype)
    return x0, noise


def sliced_scheduler(scheduler_class, config, steps, t_start):
    """A FlowMatchEulerDiscreteScheduler whose set_timesteps keeps the tail of the full schedule from t_start on
    (get_timesteps); LuminaPipeline then runs only those steps."""

    class SlicedScheduler(scheduler_class):
        # `sigmas` named, so that pipelines passing custom sigmas (Lumina2Pipeline) see it in the signature.
        def set_timesteps(self, num_inference_steps=None, device=None, sigmas=None, **kwargs):
            super().set_timesteps(steps, device=device, sigmas=sigmas, **kwargs)
            self.timesteps = self.timesteps[t_start:]
            self.sigmas = self.sigmas[t_start:]
            self.num_inference_steps = len(self.timesteps)

    return SlicedScheduler.from_config(config)


def diffusers_case(pipe, case, pixels):
    n, s = case["steps"], case["strength"]
    t_start = int(max(n - min(n * s, n), 0))
    x0, noise = image_latents_and_noise(pipe.vae, pixels, case["seed"])
    full = pipe.scheduler.__class__.from_config(pipe.scheduler.config)
    full.set_timesteps(n)
    full.set_begin_index(t_start)
    start = full.scale_noise(x0, full.timesteps[t_start:t_start + 1], noise)
    original = pipe.scheduler
    if s == 1.0:
        # At strength 1 the start is the noise itself: the run is text-to-image from that noise tensor.
        assert t_start == 0 and torch.equal(start, noise)
    else:
        pipe.scheduler = sliced_scheduler(original.__class__, original.config, n, t_start)
    captured = {}

    def keep_latents(p, i, t, kwargs):
        captured["latents"] = kwargs["latents"].detach().clone()
        return kwargs

    pipe.tokenizer.padding_side = "left"
    try:
        out = pipe(prompt=PROMPT, negative_prompt=NEGATIVE, width=case["width"], height=case["height"],
                   num_inference_steps=n, guidance_scale=4.0, latents=start, clean_caption=False,
                   output_type="np", callback_on_step_end=keep_latents,
                   callback_on_step_end_tensor_inputs=["latents"])
    finally:
        pipe.scheduler = original
    return captured["latents"], torch.from_numpy(out.images[0]).float(), n - t_start


def lumina_case(pipe, case, pixels):
    n, s = case["steps"], case["strength"]
    x1, z = image_latents_and_noise(pipe.vae, pixels, case["seed"])
    grid = official.time_grid(n + 1, 4.0)
    grid = grid[int((n + 1) * (1 - s)):]  # transport.py ODE.__init__ with strength != 1
    t0 = grid[0]
    start = z * (1 - t0) + x1 * t0  # sample_img2img.py
    if s == 1.0:
        assert torch.equal(start, z)
    cap_feats, cap_mask = official.encode_prompt([PROMPT, NEGATIVE], pipe.text_encoder, pipe.tokenizer)
    image_size = pipe.transformer.config.sample_size * pipe.vae_scale_factor
    latents = official.sample(
        pipe.transformer, start, cap_feats, cap_mask, steps=n, solver=case["sampler"], t_shift=4.0, cfg_scale=4.0,
        width=case["width"], height=case["height"], image_size=image_size, scaling="time-aware", watershed=0.3,
        proportional_attn=True, guided_channels=3, grid=grid)
    return latents, official.decode(pipe.vae, latents).permute(1, 2, 0), len(grid) - 1


def use_diffusers_attention(transformer):
    """LuminaNextDiT2DModel's own attention processor (the official sampler's scale rule replaces it for lumina)."""
    from diffusers.models.attention_processor import LuminaAttnProcessor2_0

    for layer in transformer.layers:
        layer.attn1.set_processor(LuminaAttnProcessor2_0())
        layer.attn2.set_processor(LuminaAttnProcessor2_0())


def request(case, init_path):
    """The app's request JSON (core/pipeline/request.cpp toJson keys)."""
    r = {"preset": case["preset"], "prompt": PROMPT, "negative_prompt": NEGATIVE, "width": case["width"],
         "height": case["height"], "seed": case["seed"], "steps": case["steps"], "guidance": 4.0,
         "init_image": init_path, "strength": case["strength"], "init_resize": case["resize"]}
    if case["preset"] == "diffusers":
        r.update({"sampler": "diffusers-euler", "shift_from_scheduler": True, "rope_scaling": "time-aware",
                  "watershed": 1.0, "scale_below_native": True, "cfg_channels": "3", "diffusers_preprocess": True})
    else:
        r.update({"sampler": case["sampler"], "time_shift": 4.0})
    return r


def references(pipe, out):
    """Writes OUT/img2img/*.png (init images) and OUT/img2img_<case>.safetensors; returns the cases.json entries."""
    folder = os.path.join(out, "img2img")
    os.makedirs(folder, exist_ok=True)
    inits = write_init_images(folder)
    entries = []
    for case in CASES:
        pixels = prepare_init_image(inits[case["init"]], case["width"], case["height"], case["resize"])
        if case["preset"] == "diffusers":
            use_diffusers_attention(pipe.transformer)
            run = diffusers_case
        else:
            official.use_official_attention(pipe.transformer)
            run = lumina_case
        latents, image, kept = run(pipe, case, pixels)
        save_file({"latents": latents.float().contiguous(), "image": image.float().contiguous(),
                   "init_pixels": pixels.contiguous()}, os.path.join(out, f"img2img_{case['name']}.safetensors"))
        entries.append({"name": case["name"], "request": request(case, inits[case["init"]]), "kept_steps": kept})
    return entries
