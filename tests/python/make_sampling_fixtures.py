#!/usr/bin/env python3
"""Reference dumps for the sampling parity tests (scheduler sigmas, timesteps, model times and steps;
guidance; the official fixed-grid solver steps).

Writes under --out:
  scheduler_shift{1,3}/scheduler_config.json   FlowMatchEulerDiscreteScheduler(shift).save_config
  schedule_n{N}_shift{S}.safetensors           sigmas, timesteps (after set_timesteps(N)), t_model_cpu
                                               (1 - timesteps/1000 on CPU) and t_model_recip (the CUDA rule
                                               emulated: timesteps * fp32(0.001))
  euler_step.safetensors                       scheduler.step on fixed fp32 and bf16 tensors
  cfg.safetensors                              guidance, reference 3-channel and all-channel variants
  solvers.safetensors                          official grids, and torchdiffeq.odeint (euler, midpoint, rk4) on
                                               them with f(t, x) = a*x + b*t: one interval and whole trajectories
  lumina2/scheduler_{static,dynamic_exp,dynamic_lin}/scheduler_config.json
                                               Lumina-Image 2.0 style scheduler configs (shift 6 static; dynamic
                                               exponential and linear time shift)
  lumina2/schedules.safetensors                Lumina2Pipeline's sigmas/timesteps (calculate_shift +
                                               set_timesteps(sigmas=linspace(1, 1/n, n), mu=...)) per config,
                                               image size, steps and image_seq_len rule; mu as float64
  lumina2/guidance.safetensors                 cond/uncond, guided with cfg_normalization off/on (fp32, bf16)
  lumina2/cases.json                           truncation (guided steps) per (steps, ratio, scale), and the
                                               prompt texts encode_prompt hands to the tokenizer
Never downloads anything.
"""
import argparse
import json
import os
import sys
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

STEPS = [1, 2, 4, 30, 50]
SHIFTS = [1.0, 3.0]
TOY_A = -0.7  # f(t, x) = TOY_A * x + TOY_B * t
TOY_B = 1.3


def schedules(out):
    from diffusers import FlowMatchEulerDiscreteScheduler

    for shift in SHIFTS:
        sched = FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift=shift)
        sched.save_config(os.path.join(out, f"scheduler_shift{int(shift)}"))
        for n in STEPS:
            sched.set_timesteps(n, device="cpu")
            ts = sched.timesteps.clone()
            t_cpu = 1 - ts / sched.config.num_train_timesteps
            t_recip = 1 - ts * torch.tensor(0.001, dtype=torch.float32)
            save_file({"sigmas": sched.sigmas.clone().contiguous(), "timesteps": ts.contiguous(),
                       "t_model_cpu": t_cpu.contiguous(), "t_model_recip": t_recip.contiguous()},
                      os.path.join(out, f"schedule_n{n}_shift{int(shift)}.safetensors"))


def euler_steps(out):
    from diffusers import FlowMatchEulerDiscreteScheduler

    gen = torch.Generator().manual_seed(7)
    tensors = {}
    for dtype, tag in [(torch.float32, "f32"), (torch.bfloat16, "bf16")]:
        x = torch.randn(2, 4, 6, 5, generator=gen).to(dtype)
        v = torch.randn(2, 4, 6, 5, generator=gen).to(dtype)
        tensors[f"x_{tag}"] = x
        tensors[f"v_{tag}"] = v
        for i in (0, 13, 29):  # first, middle and last step (sigma 0.001 -> 0)
            sched = FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift=1.0)
            sched.set_timesteps(30, device="cpu")
            sched.set_begin_index(i)  # step() then starts at index i
            tensors[f"out_{tag}_step{i}"] = sched.step(-v, sched.timesteps[i], x, return_dict=False)[0]
    save_file({k: t.contiguous() for k, t in tensors.items()}, os.path.join(out, "euler_step.safetensors"))


def cfg(out):
    gen = torch.Generator().manual_seed(11)
    tensors = {}
    for dtype, tag in [(torch.float32, "f32"), (torch.bfloat16, "bf16")]:
        v = torch.randn(4, 4, 5, 3, generator=gen).to(dtype)  # rows 0-1 conditional, 2-3 unconditional
        tensors[f"v_{tag}"] = v
        for g in (4.0, 1.5):
            cond, uncond = v[:2], v[2:]
            mixed = uncond + g * (cond - uncond)  # the reference order, rounded per op in the model dtype
            ref3 = torch.cat([mixed[:, :3], cond[:, 3:]], dim=1)
            tensors[f"ref3_{tag}_g{g}"] = ref3
            tensors[f"all_{tag}_g{g}"] = mixed
    save_file({k: t.contiguous() for k, t in tensors.items()}, os.path.join(out, "cfg.safetensors"))


# The official solvers are torchdiffeq's fixed-grid methods, called as Lumina-T2X transport.py ODE.sample calls
# them (odeint(fn, x, t, method=solver)) on the official grid; here with a toy velocity instead of the model.
def f_toy(t, x):
    return TOY_A * x + TOY_B * t  # t arrives from odeint already cast to the state dtype


def solvers(out):
    from torchdiffeq import odeint

    import official_lumina_sampler as official

    gen = torch.Generator().manual_seed(3)
    tensors = {"toy_ab": torch.tensor([TOY_A, TOY_B], dtype=torch.float64)}
    for points, shift in [(30, 4.0), (7, 1.0), (5, 2.5)]:
        tensors[f"grid_m{points}_s{shift}"] = official.time_grid(points, shift)
    # How many points of the official grid differ from the plain linspace (s = 1) and from the algebraically
    # equal u / (s + (1 - s) u) (s = 4): the op order is part of the rule.
    tensors["grid_m7_s1_vs_linspace"] = (official.time_grid(7, 1.0) != torch.linspace(0, 1, 7)).sum()
    u = torch.linspace(0, 1, 30)
    tensors["grid_m30_s4_vs_reordered"] = (official.time_grid(30, 4.0) != u / (4.0 + (1 - 4.0) * u)).sum()
    x0 = torch.randn(2, 4, 3, 3, generator=gen)
    tensors["x0_f32"] = x0
    tensors["x0_bf16"] = x0.to(torch.bfloat16)
    grid = official.time_grid(30, 4.0)
    small = official.time_grid(5, 2.5)
    for tag in ("f32", "bf16"):
        x = tensors[f"x0_{tag}"]
        for solver in ("euler", "midpoint", "rk4"):
            tensors[f"step_{solver}_{tag}"] = odeint(f_toy, x, grid[3:5], method=solver)[-1]  # interval j = 3
            tensors[f"full_{solver}_{tag}"] = odeint(f_toy, x, small, method=solver)[-1]
            seen = []
            odeint(lambda t, y: seen.append(t.dtype) or f_toy(t, y), x, small, method=solver)
            assert all(d == x.dtype for d in seen), "torchdiffeq passes t in the state dtype"
    save_file({k: t.contiguous() for k, t in tensors.items()}, os.path.join(out, "solvers.safetensors"))


# Lumina-Image 2.0 (pipelines/lumina2/pipeline_lumina2.py). The configs: the published one is static (shift 6,
# use_dynamic_shifting false); the dynamic ones exercise calculate_shift and time_shift.
L2_CONFIGS = {
    "static": dict(shift=6.0, use_dynamic_shifting=False),
    "dynamic_exp": dict(use_dynamic_shifting=True, time_shift_type="exponential"),
    "dynamic_lin": dict(use_dynamic_shifting=True, time_shift_type="linear", base_shift=0.6, max_shift=1.3),
}
L2_SIZES = [(1024, 1024), (2048, 2048), (768, 1344), (1344, 768), (512, 512)]
L2_STEPS = [1, 4, 30, 50]
L2_CHANNELS, L2_PATCH = 16, 2


def lumina2_schedules(out):
    import numpy as np
    from diffusers import FlowMatchEulerDiscreteScheduler
    from diffusers.pipelines.lumina2.pipeline_lumina2 import calculate_shift

    root = os.path.join(out, "lumina2")
    tensors = {}
    for name, kwargs in L2_CONFIGS.items():
        sched = FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, **kwargs)
        sched.save_config(os.path.join(root, f"scheduler_{name}"))
        for width, height in L2_SIZES:
            # prepare_latents' latent size; the pipeline then reads latents.shape[1] (the channel count).
            h, w = 2 * (height // 16), 2 * (width // 16)
            latents = torch.zeros(1, L2_CHANNELS, h, w)
            for rule, seq_len in [("reference", latents.shape[1]), ("tokens", (h // L2_PATCH) * (w // L2_PATCH))]:
                for n in L2_STEPS:
                    sigmas = np.linspace(1.0, 1 / n, n)
                    mu = calculate_shift(seq_len, sched.config.get("base_image_seq_len", 256),
                                         sched.config.get("max_image_seq_len", 4096),
                                         sched.config.get("base_shift", 0.5), sched.config.get("max_shift", 1.15))
                    sched.set_timesteps(sigmas=sigmas, device="cpu", mu=mu)
                    key = f"{name}_{width}x{height}_{rule}_n{n}"
                    tensors[f"{key}_sigmas"] = sched.sigmas.clone()
                    tensors[f"{key}_timesteps"] = sched.timesteps.clone()
                    tensors[f"{key}_mu"] = torch.tensor([mu], dtype=torch.float64)
                    tensors[f"{key}_seq_len"] = torch.tensor([seq_len], dtype=torch.int64)
    save_file({k: t.contiguous() for k, t in tensors.items()}, os.path.join(root, "schedules.safetensors"))


def lumina2_guidance(out):
    gen = torch.Generator().manual_seed(23)
    tensors = {}
    for dtype, tag in [(torch.float32, "f32"), (torch.bfloat16, "bf16")]:
        cond = torch.randn(2, 16, 6, 10, generator=gen).to(dtype)  # (B, C, h, w), w != h to pin the norm's dim
        uncond = torch.randn(2, 16, 6, 10, generator=gen).to(dtype)
        tensors[f"cond_{tag}"], tensors[f"uncond_{tag}"] = cond, uncond
        for g in (4.0, 5.5):
            # The lines of Lumina2Pipeline.__call__, verbatim in effect.
            noise_pred = uncond + g * (cond - uncond)
            tensors[f"guided_{tag}_g{g}"] = noise_pred
            cond_norm = torch.norm(cond, dim=-1, keepdim=True)
            noise_norm = torch.norm(noise_pred, dim=-1, keepdim=True)
            tensors[f"normalized_{tag}_g{g}"] = noise_pred * (cond_norm / noise_norm)
    save_file({k: t.contiguous() for k, t in tensors.items()}, os.path.join(out, "lumina2", "guidance.safetensors"))


class _RecordingLumina2:
    """Runs Lumina2Pipeline.encode_prompt itself, recording what it hands to _get_gemma_prompt_embeds."""

    def __init__(self):
        from diffusers import Lumina2Pipeline

        self.pipe = Lumina2Pipeline(transformer=None, scheduler=None, vae=None, text_encoder=None, tokenizer=None)
        self.seen = []

        def record(prompt, device=None, max_sequence_length=256):
            self.seen.append({"texts": list(prompt), "max_sequence_length": max_sequence_length})
            return torch.zeros(len(prompt), 1, 1), torch.ones(len(prompt), 1, dtype=torch.long)

        self.pipe._get_gemma_prompt_embeds = record

    def texts(self, prompt, system_prompt, negative_prompt):
        self.seen.clear()
        self.pipe.encode_prompt(prompt, True, negative_prompt=negative_prompt, device="cpu",
                                system_prompt=system_prompt)
        return self.seen


class _CallRecorder(torch.nn.Module):
    """A stand-in transformer: records, per call, whether it got the prompt (+1) or the negative prompt (-1)."""

    def __init__(self):
        super().__init__()
        self.config = types.SimpleNamespace(in_channels=4, sample_size=8)
        self.anchor = torch.nn.Parameter(torch.zeros(1))  # gives the module a dtype and a device
        self.calls = []

    def forward(self, hidden_states, timestep, encoder_hidden_states, encoder_attention_mask, return_dict=False,
                attention_kwargs=None):
        self.calls.append(int(encoder_hidden_states.flatten()[0]))
        return (torch.ones_like(hidden_states),)


def truncation_from_pipeline(steps, ratio, scale):
    """Runs Lumina2Pipeline.__call__ itself with the stand-in and reads which steps called the model twice."""
    from diffusers import FlowMatchEulerDiscreteScheduler, Lumina2Pipeline

    class CpuLumina2(Lumina2Pipeline):  # no real components, so the device lookup has nothing to inspect
        _execution_device = property(lambda self: torch.device("cpu"))

    model = _CallRecorder()
    pipe = CpuLumina2(transformer=model, scheduler=FlowMatchEulerDiscreteScheduler(shift=6.0), vae=None,
                      text_encoder=None, tokenizer=None)
    pipe.set_progress_bar_config(disable=True)

    def embeds(prompt, device=None, max_sequence_length=256):
        marker = 1.0 if "<Prompt Start>" in prompt[0] else -1.0
        return torch.full((len(prompt), 1, 8), marker), torch.ones(len(prompt), 1, dtype=torch.long)

    pipe._get_gemma_prompt_embeds = embeds
    pipe("x", num_inference_steps=steps, guidance_scale=scale, cfg_trunc_ratio=ratio, height=64, width=64,
         output_type="latent")
    guided = []
    for marker in model.calls:  # each step: +1, then -1 when guided
        if marker == 1:
            guided.append(False)
        else:
            guided[-1] = True
    assert len(guided) == steps
    return guided


def lumina2_cases(out):
    truncation = []
    for n in (1, 4, 30, 50):
        for ratio in (1.0, 0.25, 0.5, 0.7, 0.0, 0.3333333333333333):
            for scale in (4.0, 1.0):
                truncation.append({"steps": n, "ratio": ratio, "scale": scale,
                                   "guided": truncation_from_pipeline(n, ratio, scale)})
    recorder = _RecordingLumina2()
    prompts = []
    for prompt, system, negative in [
        ("A red fox in the snow", None, None),
        ("  Leading and trailing spaces, UPPER case  ", None, "blurry, low quality"),
        ("Ein Fuchs im Schnee, 雪の中のキツネ, лиса 🦊", None, None),
        ("a cat", "You are an assistant designed to generate high-quality images with the highest degree of "
                  "image-text alignment based on textual prompts.", None),
        ("a cat", "", ""),
        ("Ünïcödé négatif", "Système: générer des images.", "flou"),
    ]:
        seen = recorder.texts(prompt, system, negative)
        prompts.append({"prompt": prompt, "system_prompt": system, "negative_prompt": negative,
                        "text": seen[0]["texts"][0], "negative_text": seen[1]["texts"][0],
                        "max_sequence_length": seen[0]["max_sequence_length"]})
    with open(os.path.join(out, "lumina2", "cases.json"), "w", encoding="utf-8") as f:
        json.dump({"default_system_prompt": recorder.pipe.system_prompt, "truncation": truncation,
                   "prompts": prompts}, f, ensure_ascii=False, indent=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    schedules(args.out)
    euler_steps(args.out)
    cfg(args.out)
    solvers(args.out)
    os.makedirs(os.path.join(args.out, "lumina2"), exist_ok=True)
    lumina2_schedules(args.out)
    lumina2_guidance(args.out)
    lumina2_cases(args.out)
    import diffusers
    import torchdiffeq
    with open(os.path.join(args.out, "environment.json"), "w") as f:
        json.dump({"torch": torch.__version__, "diffusers": diffusers.__version__,
                   "torchdiffeq": torchdiffeq.__version__}, f)


if __name__ == "__main__":
    main()
