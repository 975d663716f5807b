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
Never downloads anything.
"""
import argparse
import json
import os
import sys

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
    import torchdiffeq
    with open(os.path.join(args.out, "environment.json"), "w") as f:
        json.dump({"torch": torch.__version__, "diffusers": diffusers.__version__,
                   "torchdiffeq": torchdiffeq.__version__}, f)


if __name__ == "__main__":
    main()
