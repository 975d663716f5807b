// Reference: Lumina-T2X lumina_next_t2i_mini/transport.py, class ODE (grid and time shift); the sigmoid
// spacing is this app's reading of the Lumina-Next paper, not a port (docs/sampling.md).
#include "core/sampling/time_grid.h"

#include "core/util/errors.h"

#include <cmath>
#include <fmt/format.h>
#include <torch/torch.h>
#include <vector>

namespace lumina::sampling {

namespace {

void checkSteps(int64_t steps) {
    if (steps < 1) throw InvalidRequest(fmt::format("sampling steps must be at least 1, got {}", steps));
}

double logistic(double z) {
    return 1.0 / (1.0 + std::exp(-z));
}

} // namespace

at::Tensor baseGrid(int64_t steps, Schedule schedule, double kappa) {
    checkSteps(steps);
    if (schedule == Schedule::Uniform) return torch::linspace(0.0, 1.0, steps + 1, torch::kFloat32);
    if (!(kappa >= 0.01 && kappa <= 50.0))
        throw InvalidRequest(fmt::format("sigmoid spacing kappa must lie in [0.01, 50], got {}", kappa));
    const double low = logistic(-kappa / 2.0);
    const double range = logistic(kappa / 2.0) - low;
    std::vector<float> grid(static_cast<std::size_t>(steps + 1));
    for (int64_t j = 0; j <= steps; ++j) {
        const double u = static_cast<double>(j) / static_cast<double>(steps);
        grid[static_cast<std::size_t>(j)] = static_cast<float>((logistic(kappa * (u - 0.5)) - low) / range);
    }
    grid.front() = 0.0f;
    grid.back() = 1.0f;
    return torch::tensor(grid, torch::kFloat32);
}

at::Tensor timeShift(const at::Tensor& u, double shift) {
    if (!(shift > 0.0)) throw InvalidRequest(fmt::format("time shift must be positive, got {}", shift));
    return u / ((u + shift) - u * shift);
}

at::Tensor officialTimeGrid(int64_t steps, double shift, Schedule schedule, double kappa) {
    return timeShift(baseGrid(steps, schedule, kappa), shift);
}

} // namespace lumina::sampling
