#pragma once
// Time grids for the official Lumina-T2X fixed-grid solvers (lumina_next_t2i_mini/transport.py, class ODE)
// and the paper-only sigmoid discretization (docs/sampling.md).
//
// Lumina time: t = 0 is noise, t = 1 is data. A grid for `steps` intervals has steps + 1 points from exactly
// 0 to exactly 1 (fp32). Note: the official demo's "steps" slider is the number of grid *points* M, i.e.
// M - 1 intervals; this app counts intervals everywhere (official "30 steps" == 29 steps here).
#include "core/vocabulary/choices.h"

#include <ATen/core/Tensor.h>
#include <cstdint>

namespace lumina::sampling {

// Default sigmoid sharpness; kappa -> 0 tends to the uniform grid, larger kappa packs more points at the
// ends.
constexpr double kDefaultSigmoidKappa = 6.0;

// The base grid u'_j in [0, 1] before the time shift, (steps + 1) fp32 on the CPU.
// Uniform: u_j = linspace(0, 1, steps + 1) in fp32 (the official grid).
// Sigmoid: u'_j = (sig(kappa (u_j - 1/2)) - sig(-kappa/2)) / (sig(kappa/2) - sig(-kappa/2)), computed in
// float64 from u_j = j / steps, endpoints exactly 0 and 1. kappa must lie in [0.01, 50].
at::Tensor baseGrid(int64_t steps, Schedule schedule = Schedule::Uniform,
                    double kappa = kDefaultSigmoidKappa);

// The rational time shift of the official code, t = u / (u + s - s*u), evaluated in fp32 in that op order
// (so even s = 1 reproduces the official rounding). s = diffusers `shift` == official `t_shift`, s > 0.
at::Tensor timeShift(const at::Tensor& u, double shift);

// timeShift(baseGrid(steps, schedule, kappa), shift): the grid the official solvers integrate on.
// steps >= 1; throws InvalidRequest on bad arguments.
at::Tensor officialTimeGrid(int64_t steps, double shift, Schedule schedule = Schedule::Uniform,
                            double kappa = kDefaultSigmoidKappa);

} // namespace lumina::sampling
