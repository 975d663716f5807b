// Reference: torchdiffeq _impl/fixed_grid.py (Euler, Midpoint, RK4), _impl/rk_common.py (rk4_alt_step_func),
// _impl/solvers.py (FixedGridODESolver.integrate), _impl/misc.py (_PerturbFunc casts t to the state dtype),
// as used by Lumina-T2X lumina_next_t2i_mini/transport.py (ODE.sample).
#include "core/sampling/ode_solver.h"

#include "core/util/errors.h"

#include <fmt/format.h>
#include <torch/torch.h>

namespace lumina::sampling {

int64_t modelEvaluations(Sampler sampler, int64_t steps) {
    return stagesPerStep(sampler) * steps;
}

at::Tensor odeStep(Sampler solver, const VelocityFn& f, const at::Tensor& t0, const at::Tensor& t1,
                   const at::Tensor& x) {
    // torchdiffeq hands t to the function in the state's real dtype.
    const auto timeType = x.is_complex() ? c10::toRealValueType(x.scalar_type()) : x.scalar_type();
    const auto call = [&](const at::Tensor& t, const at::Tensor& y) { return f(t.to(timeType), y); };
    // Times live on the state's device like torchdiffeq's (a CPU-scalar dt would round differently on CUDA).
    const auto t0d = t0.to(x.device());
    const auto t1d = t1.to(x.device());
    const auto dt = t1d - t0d;
    at::Tensor dy;
    switch (solver) {
    case Sampler::Euler:
        dy = dt * call(t0d, x);
        break;
    case Sampler::Midpoint: {
        const auto halfDt = dt * 0.5;
        const auto yMid = x + call(t0d, x) * halfDt;
        dy = dt * call(t0d + halfDt, yMid);
        break;
    }
    case Sampler::RK4: {
        constexpr double kOneThird = 1.0 / 3.0;
        constexpr double kTwoThirds = 2.0 / 3.0;
        const auto k1 = call(t0d, x);
        const auto k2 = call(t0d + dt * kOneThird, x + dt * k1 * kOneThird);
        const auto k3 = call(t0d + dt * kTwoThirds, x + dt * (k2 - k1 * kOneThird));
        const auto k4 = call(t1d, x + dt * (k1 - k2 + k3));
        dy = (k1 + (k2 + k3) * 3 + k4) * dt * 0.125;
        break;
    }
    case Sampler::DiffusersEuler:
        throw InvalidRequest("diffusers-euler runs on the diffusers schedule (FlowMatchEulerSchedule), "
                             "not on the official time grid");
    }
    return x + dy;
}

OdeResult integrate(Sampler solver, const VelocityFn& f, const at::Tensor& grid, at::Tensor x,
                    const StepCallback& onStep) {
    if (grid.dim() != 1 || grid.size(0) < 2)
        throw InvalidRequest(
            fmt::format("an ODE time grid must be 1-D with at least 2 points, got {} dims and {} values",
                        grid.dim(), grid.numel()));
    const auto t = grid.to(x.device());
    OdeResult result;
    const VelocityFn counted = [&](const at::Tensor& tt, const at::Tensor& y) {
        ++result.evaluations;
        return f(tt, y);
    };
    const int64_t steps = t.size(0) - 1;
    for (int64_t j = 0; j < steps; ++j) {
        x = odeStep(solver, counted, t[j], t[j + 1], x);
        if (onStep) onStep(j, x);
    }
    result.x = x;
    return result;
}

} // namespace lumina::sampling
