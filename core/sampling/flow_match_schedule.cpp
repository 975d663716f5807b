// Reference: diffusers scheduling_flow_match_euler_discrete.py, FlowMatchEulerDiscreteScheduler
// (__init__, set_timesteps, step); the t_model line of pipeline_lumina.py.
#include "core/sampling/flow_match_schedule.h"

#include "core/io/json_file.h"
#include "core/util/errors.h"

#include <fmt/format.h>
#include <torch/torch.h>
#include <vector>

namespace lumina::sampling {

namespace {

// Options of FlowMatchEulerDiscreteScheduler that change the schedule and are not ported: each must be
// absent, null or false.
constexpr const char* kRefusedFlags[] = {"use_dynamic_shifting",   "invert_sigmas",   "use_karras_sigmas",
                                         "use_exponential_sigmas", "use_beta_sigmas", "stochastic_sampling"};

// numpy.linspace(start, stop, num) in float64: y_j = fl(fl(j * step) + start), the last point set to stop;
// with num == 1 the single point is start.
std::vector<double> numpyLinspace(double start, double stop, int64_t num) {
    std::vector<double> y(static_cast<std::size_t>(num));
    const double delta = stop - start;
    const double step = num > 1 ? delta / static_cast<double>(num - 1) : 0.0;
    for (int64_t j = 0; j < num; ++j) {
        const double scaled = static_cast<double>(j) * step;
        y[static_cast<std::size_t>(j)] = scaled + start;
    }
    if (num > 1) y.back() = stop;
    return y;
}

} // namespace

FlowMatchEulerConfig FlowMatchEulerConfig::fromJson(const io::JsonConfig& config) {
    FlowMatchEulerConfig c;
    if (auto name = config.getOptionalString("_class_name");
        name && *name != "FlowMatchEulerDiscreteScheduler")
        config.fail("_class_name",
                    "\"FlowMatchEulerDiscreteScheduler\" (the only scheduler Lumina-Next uses)");
    c.numTrainTimesteps = config.getInt("num_train_timesteps", 1000);
    if (c.numTrainTimesteps < 1) config.fail("num_train_timesteps", "a positive integer");
    c.shift = config.getDouble("shift", 1.0);
    if (!(c.shift > 0.0)) config.fail("shift", "a positive number");
    for (const char* key : kRefusedFlags)
        if (config.getBool(key, false))
            config.fail(key, "false or absent (this option of the diffusers scheduler is not supported; "
                             "use the scheduler config shipped with Lumina-Next)");
    if (!config.isNull("shift_terminal"))
        config.fail("shift_terminal", "null or absent (terminal stretching is not supported)");
    if (auto type = config.getOptionalString("time_shift_type");
        type && *type != "exponential" && *type != "linear")
        config.fail("time_shift_type", "\"exponential\" or \"linear\"");
    return c;
}

FlowMatchEulerConfig FlowMatchEulerConfig::load(const std::filesystem::path& schedulerConfigJson) {
    return fromJson(io::JsonConfig::load(schedulerConfigJson));
}

FlowMatchEulerSchedule FlowMatchEulerSchedule::create(const FlowMatchEulerConfig& config, int64_t steps,
                                                      c10::Device device) {
    if (steps < 1) throw InvalidRequest(fmt::format("sampling steps must be at least 1, got {}", steps));
    if (!(config.shift > 0.0))
        throw InvalidRequest(fmt::format("scheduler shift must be positive, got {}", config.shift));
    if (config.numTrainTimesteps < 1)
        throw InvalidRequest(
            fmt::format("num_train_timesteps must be positive, got {}", config.numTrainTimesteps));

    const double n = static_cast<double>(config.numTrainTimesteps);
    // Constructor: sigma_min = shifted fp32(1/N) evaluated in fp32 (each op rounded to fp32 like the tensor
    // ops), sigma_max = shifted 1 = 1. Both are then read out as doubles.
    const float shiftF = static_cast<float>(config.shift);
    const float shiftM1F = static_cast<float>(config.shift - 1.0);
    const float sigmaMinRaw = 1.0f / static_cast<float>(config.numTrainTimesteps);
    const float numer = shiftF * sigmaMinRaw;
    const float denom = 1.0f + shiftM1F * sigmaMinRaw;
    const double sigmaMin = static_cast<double>(numer / denom);
    const float numerMax = shiftF * 1.0f;
    const float denomMax = 1.0f + shiftM1F * 1.0f;
    const double sigmaMax = static_cast<double>(numerMax / denomMax);

    // set_timesteps: float64 linspace and shift (applied a second time to the endpoints), then fp32.
    const auto tau = numpyLinspace(sigmaMax * n, sigmaMin * n, steps);
    std::vector<float> sigmas(tau.size() + 1, 0.0f);
    for (std::size_t j = 0; j < tau.size(); ++j) {
        const double s = tau[j] / n;
        const double shifted = (config.shift * s) / (1.0 + (config.shift - 1.0) * s);
        sigmas[j] = static_cast<float>(shifted);
    }
    auto sigmasCpu = torch::tensor(sigmas, torch::kFloat32);
    FlowMatchEulerSchedule schedule;
    schedule.m_config = config;
    schedule.m_sigmas = sigmasCpu.to(device);
    // timesteps = fp32 sigma * N (an exact-rounding fp32 multiply on every device).
    schedule.m_timesteps = schedule.m_sigmas.slice(0, 0, steps) * config.numTrainTimesteps;
    return schedule;
}

at::Tensor modelTime(const at::Tensor& timesteps, int64_t numTrainTimesteps, TimeDivision rule) {
    if (rule == TimeDivision::ForDevice)
        rule = timesteps.device().is_cuda() ? TimeDivision::ReciprocalMultiply : TimeDivision::TrueDivide;
    const auto t = timesteps.to(torch::kFloat32);
    at::Tensor q;
    if (rule == TimeDivision::TrueDivide) {
        q = t / static_cast<double>(numTrainTimesteps);
    } else {
        // fp32(1/N) as a double scalar: the kernel casts it to fp32 without change and multiplies in fp32.
        const float reciprocal = 1.0f / static_cast<float>(numTrainTimesteps);
        q = t * static_cast<double>(reciprocal);
    }
    return 1.0 - q;
}

at::Tensor FlowMatchEulerSchedule::modelTimes(TimeDivision rule) const {
    return modelTime(m_timesteps, m_config.numTrainTimesteps, rule);
}

at::Tensor eulerStep(const at::Tensor& x, const at::Tensor& u, const at::Tensor& sigma,
                     const at::Tensor& sigmaNext) {
    const auto dt = sigmaNext - sigma;
    const auto prev = x.to(torch::kFloat32) + dt * u;
    return prev.to(u.scalar_type());
}

FlowMatchEulerSchedule FlowMatchEulerSchedule::from(int64_t first) const {
    if (first < 0 || first >= steps())
        throw InvalidRequest(
            fmt::format("the schedule has {} steps; it cannot start at step {}", steps(), first));
    FlowMatchEulerSchedule kept = *this;
    kept.m_sigmas = m_sigmas.slice(0, first).clone();
    kept.m_timesteps = m_timesteps.slice(0, first).clone();
    return kept;
}

at::Tensor FlowMatchEulerSchedule::step(int64_t i, const at::Tensor& x, const at::Tensor& velocity) const {
    if (i < 0 || i >= steps())
        throw InvalidRequest(fmt::format("scheduler step {} is outside 0..{}", i, steps() - 1));
    if (x.device() != m_sigmas.device())
        throw InvalidRequest(
            fmt::format("the schedule lives on {} but the latents on {}: create the schedule on the "
                        "execution device (dt must be a 0-d tensor there)",
                        m_sigmas.device().str(), x.device().str()));
    // The scheduler integrates in sigma, where dx/dsigma = -v (LuminaPipeline.__call__ passes -noise_pred).
    return eulerStep(x, -velocity, m_sigmas[i], m_sigmas[i + 1]);
}

} // namespace lumina::sampling
