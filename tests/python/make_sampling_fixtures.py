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
  solvers.safetensors                          official grids and torchdiffeq-rule steps on f(t,x)=a*x+b*t
Never downloads anything.
"""
import argparse
import json
import os

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


# The official solvers' update rules (torchdiffeq fixed-grid euler, midpoint, rk4 = 3/8 rule), restated.
def f_toy(t, x):
    t = t.to(x.dtype)  # torchdiffeq hands t over in the state dtype
    return TOY_A * x + TOY_B * t


def step(solver, t0, t1, x):
    dt = t1 - t0
    if solver == "euler":
        return x + dt * f_toy(t0, x)
    if solver == "midpoint":
        h = 0.5 * dt
        return x + dt * f_toy(t0 + h, x + f_toy(t0, x) * h)
    k1 = f_toy(t0, x)
    k2 = f_toy(t0 + dt * (1 / 3), x + dt * k1 * (1 / 3))
    k3 = f_toy(t0 + dt * (2 / 3), x + dt * (k2 - k1 * (1 / 3)))
    k4 = f_toy(t1, x + dt * (k1 - k2 + k3))
    return x + (k1 + 3 * (k2 + k3) + k4) * dt * 0.125


def official_grid(points, shift):
    t = torch.linspace(0, 1, points)
    return t / (t + shift - shift * t)


def solvers(out):
    gen = torch.Generator().manual_seed(3)
    tensors = {"toy_ab": torch.tensor([TOY_A, TOY_B], dtype=torch.float64)}
    for points, shift in [(30, 4.0), (7, 1.0), (5, 2.5)]:
        tensors[f"grid_m{points}_s{shift}"] = official_grid(points, shift)
    x0 = torch.randn(2, 4, 3, 3, generator=gen)
    tensors["x0_f32"] = x0
    tensors["x0_bf16"] = x0.to(torch.bfloat16)
    grid = official_grid(30, 4.0)
    for tag in ("f32", "bf16"):
        x = tensors[f"x0_{tag}"]
        for solver in ("euler", "midpoint", "rk4"):
            tensors[f"step_{solver}_{tag}"] = step(solver, grid[3], grid[4], x)  # one interval, j = 3
            small = official_grid(5, 2.5)
            y = x
            for j in range(len(small) - 1):
                y = step(solver, small[j], small[j + 1], y)
            tensors[f"full_{solver}_{tag}"] = y
    save_file({k: t.contiguous() for k, t in tensors.items()}, os.path.join(out, "solvers.safetensors"))


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
    import diffusers
    with open(os.path.join(args.out, "environment.json"), "w") as f:
        json.dump({"torch": torch.__version__, "diffusers": diffusers.__version__}, f)


if __name__ == "__main__":
    main()
