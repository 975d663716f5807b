#pragma once
// The official Lumina-T2X fixed-grid solvers (torchdiffeq `euler`, `midpoint`, `rk4`; rk4 is torchdiffeq's
// 3/8-rule `rk4_alt_step_func` in _impl/rk_common.py), as Lumina-T2X
// lumina_next_t2i_mini/transport.py (ODE.sample) calls them, plus the sampler choice of the app.
//
// Steps semantics (whole app): "steps" = number of integration intervals. Model evaluations (NFE, one batched
// CFG forward each) = steps x stages: diffusers Euler 1, official euler 1, midpoint 2, rk4 4.
#include "core/vocabulary/choices.h"

#include <ATen/core/Tensor.h>
#include <cstdint>
#include <functional>

namespace lumina::sampling {

// stagesPerStep(sampler) * steps (Sampler::DiffusersEuler runs on flow_match_schedule.h, one per step).
int64_t modelEvaluations(Sampler sampler, int64_t steps);

// f(t, x) -> velocity dx/dt in Lumina time (the CFG-combined model output, not negated). As in torchdiffeq,
// t is a 0-d tensor already cast to x's dtype (bf16 when the state is bf16) on x's device; take
// t.item<float>() for the RoPE watershed test and expand it to the batch for the transformer.
using VelocityFn = std::function<at::Tensor(const at::Tensor& t, const at::Tensor& x)>;
// Called after each interval with its index (0-based) and the new state; may throw (e.g. Cancelled).
using StepCallback = std::function<void(int64_t step, const at::Tensor& x)>;

// One interval [t0, t1] (0-d fp32 tensors) with torchdiffeq's op order: dt = t1 - t0; euler: x + dt*f(t0,x);
// midpoint: x + dt*f(t0 + dt/2, x + f(t0,x)*(dt/2)); rk4 3/8 rule with k4 at t1. State arithmetic runs in
// x's dtype (the official code keeps a bf16 state). `Sampler::DiffusersEuler` is refused (InvalidRequest).
at::Tensor odeStep(Sampler solver, const VelocityFn& f, const at::Tensor& t0, const at::Tensor& t1,
                   const at::Tensor& x);

struct OdeResult {
    at::Tensor x;
    int64_t evaluations = 0; // NFE actually spent
};

// Integrates x from grid[0] to grid[-1] (grid: 1-D, increasing, fp32; moved to x's device first).
OdeResult integrate(Sampler solver, const VelocityFn& f, const at::Tensor& grid, at::Tensor x,
                    const StepCallback& onStep = {});

} // namespace lumina::sampling
