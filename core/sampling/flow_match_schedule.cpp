// Reference: diffusers scheduling_flow_match_euler_discrete.py, FlowMatchEulerDiscreteScheduler
// (__init__, set_timesteps, time_shift, step); the t_model line of pipeline_lumina.py; calculate_shift of
// pipeline_lumina2.py.
#include "core/sampling/flow_match_schedule.h"

#include "core/io/json_file.h"
#include "core/util/errors.h"

#include <cmath>
#include <fmt/format.h>
#include <torch/torch.h>
#include <vector>

namespace lumina::sampling {

namespace {

// Options of FlowMatchEulerDiscreteScheduler that change the schedule and are not ported: each must be
// absent, null or false.
constexpr const char* kRefusedFlags[] = {"invert_sigmas", "use_karras_sigmas", "use_exponential_sigmas",
                                         "use_beta_sigmas", "stochastic_sampling"};

} // namespace

// y_j = fl(fl(j * step) + start), as numpy computes it.
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
    if (auto type = config.getOptionalString("time_shift_type")) {
        if (*type != "exponential" && *type != "linear")
            config.fail("time_shift_type", "\"exponential\" or \"linear\"");
        c.timeShiftType = *type == "linear" ? TimeShiftType::Linear : TimeShiftType::Exponential;
    }
    c.useDynamicShifting = config.getBool("use_dynamic_shifting", false);
    c.baseShift = config.getDouble("base_shift", c.baseShift);
    c.maxShift = config.getDouble("max_shift", c.maxShift);
    c.baseImageSeqLen = config.getInt("base_image_seq_len", c.baseImageSeqLen);
    c.maxImageSeqLen = config.getInt("max_image_seq_len", c.maxImageSeqLen);
    if (c.maxImageSeqLen == c.baseImageSeqLen)
        config.fail("max_image_seq_len",
                    "a value different from base_image_seq_len (calculate_shift divides by "
                    "their difference)");
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
    if (config.useDynamicShifting)
        throw InvalidRequest(
            "the scheduler config sets use_dynamic_shifting, which needs mu from the image size: "
            "build the schedule with createFromSigmas (Lumina-Image 2.0)");

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

FlowMatchEulerSchedule FlowMatchEulerSchedule::createFromSigmas(const FlowMatchEulerConfig& config,
                                                                const std::vector<double>& sigmas,
                                                                std::optional<double> mu,
                                                                c10::Device device) {
    if (sigmas.empty()) throw InvalidRequest("a custom sigma schedule needs at least one sigma");
    if (config.numTrainTimesteps < 1)
        throw InvalidRequest(
            fmt::format("num_train_timesteps must be positive, got {}", config.numTrainTimesteps));
    if (config.useDynamicShifting && !mu)
        throw InvalidRequest("use_dynamic_shifting is set, so the schedule needs mu (calculateShift)");
    if (!config.useDynamicShifting && mu)
        throw InvalidRequest(
            "mu was given but use_dynamic_shifting is off: the static shift would ignore it");
    if (!config.useDynamicShifting && !(config.shift > 0.0))
        throw InvalidRequest(fmt::format("scheduler shift must be positive, got {}", config.shift));
    std::vector<float> shifted(sigmas.size() + 1, 0.0f);
    for (std::size_t j = 0; j < sigmas.size(); ++j) {
        if (!(sigmas[j] > 0.0 && sigmas[j] <= 1.0))
            throw InvalidRequest(
                fmt::format("sigma {} is {}; custom sigmas must lie in (0, 1]", j, sigmas[j]));
        // np.array(sigmas).astype(np.float32); every later op is fp32 (numpy casts Python scalars to the
        // array's fp32).
        const float s = static_cast<float>(sigmas[j]);
        if (config.useDynamicShifting) {
            const float e = config.timeShiftType == TimeShiftType::Exponential
                                ? static_cast<float>(std::exp(*mu))
                                : static_cast<float>(*mu);
            const float odds = 1.0f / s - 1.0f; // (1/t - 1) ** 1.0 is exact
            shifted[j] = e / (e + odds);
        } else {
            const float shiftF = static_cast<float>(config.shift);
            const float shiftM1F = static_cast<float>(config.shift - 1.0);
            shifted[j] = shiftF * s / (1.0f + shiftM1F * s);
        }
    }
    const auto steps = static_cast<int64_t>(sigmas.size());
    FlowMatchEulerSchedule schedule;
    schedule.m_config = config;
    schedule.m_sigmas = torch::tensor(shifted, torch::kFloat32).to(device);
    schedule.m_timesteps = schedule.m_sigmas.slice(0, 0, steps) * config.numTrainTimesteps;
    return schedule;
}

double calculateShift(int64_t imageSeqLen, const FlowMatchEulerConfig& config) {
    if (config.maxImageSeqLen == config.baseImageSeqLen)
        throw InvalidRequest(
            fmt::format("max_image_seq_len and base_image_seq_len are both {}", config.maxImageSeqLen));
    const double m = (config.maxShift - config.baseShift) /
                     static_cast<double>(config.maxImageSeqLen - config.baseImageSeqLen);
    const double b = config.baseShift - m * static_cast<double>(config.baseImageSeqLen);
    return static_cast<double>(imageSeqLen) * m + b;
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
