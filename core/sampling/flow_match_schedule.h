#pragma once
// Reference: diffusers schedulers/scheduling_flow_match_euler_discrete.py, FlowMatchEulerDiscreteScheduler
// (as configured by the Lumina-Next scheduler/scheduler_config.json), and the step loop of
// diffusers pipelines/lumina/pipeline_lumina.py (LuminaPipeline.__call__); docs/reference-notes.md,
// Scheduler. The custom-sigma path with the resolution-dependent time shift is what
// pipelines/lumina2/pipeline_lumina2.py (Lumina2Pipeline.__call__, calculate_shift) uses (docs/sampling.md,
// Lumina-Image 2.0).
//
// Steps semantics: n steps = n intervals = n model evaluations (one CFG forward each).
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace lumina::io {
class JsonConfig;
}

namespace lumina::sampling {

// diffusers `time_shift_type`: how use_dynamic_shifting maps mu onto the sigmas
// (FlowMatchEulerDiscreteScheduler
// ._time_shift_exponential / _time_shift_linear).
enum class TimeShiftType { Exponential, Linear };

// The scheduler options that matter for Lumina-Next and Lumina-Image 2.0. Every other diffusers option must
// be at its default; fromJson refuses the ones this port does not implement (Karras/exponential/beta sigmas,
// inverted sigmas, shift_terminal, stochastic sampling).
struct FlowMatchEulerConfig {
    int64_t numTrainTimesteps = 1000;
    double shift = 1.0; // diffusers `shift` (== official `t_shift`); the preset may override it

    // Resolution-dependent shifting: when on, the sigmas get time_shift(mu) instead of `shift`. Only the
    // custom-sigma path (createFromSigmas) supports it; create() refuses it.
    bool useDynamicShifting = false;
    TimeShiftType timeShiftType = TimeShiftType::Exponential;
    // calculate_shift's line through (baseImageSeqLen, baseShift) and (maxImageSeqLen, maxShift); the
    // defaults are the ones Lumina2Pipeline falls back to when the config lacks the keys.
    double baseShift = 0.5;
    double maxShift = 1.15;
    int64_t baseImageSeqLen = 256;
    int64_t maxImageSeqLen = 4096;

    // Reads scheduler/scheduler_config.json; throws ModelLoadError naming the file, key and expectation.
    static FlowMatchEulerConfig fromJson(const io::JsonConfig& config);
    static FlowMatchEulerConfig load(const std::filesystem::path& schedulerConfigJson);
};

// How t_model = 1 - timesteps/1000 divides. PyTorch divides by a Python scalar with a true fp32 division
// on CPU, but multiplies by the fp32 reciprocal on CUDA (docs/reference-notes.md, Scheduler), so the
// reference's t_model depends on the execution device. ForDevice picks TrueDivide for CPU (and any non-CUDA
// device; MPS not measured) and ReciprocalMultiply for CUDA.
enum class TimeDivision { ForDevice, TrueDivide, ReciprocalMultiply };

// sigmas and timesteps exactly as set_timesteps(n) computes them (bitwise, fp32): float64 numpy-style
// linspace from 1000*sigma_max to 1000*sigma_min, float64 shift (sigma_min already shifted once in fp32 by
// the scheduler constructor: the "double shift" quirk when shift != 1), then fp32.
class FlowMatchEulerSchedule {
public:
    // Throws InvalidRequest when steps < 1 or the config is out of range (shift <= 0, no timesteps) or asks
    // for dynamic shifting (which needs mu: use createFromSigmas).
    static FlowMatchEulerSchedule create(const FlowMatchEulerConfig& config, int64_t steps,
                                         c10::Device device = c10::Device(c10::DeviceType::CPU));

    // set_timesteps(sigmas=..., mu=...) bitwise: the float64 sigmas are cast to fp32, then shifted in fp32
    // numpy arithmetic, either statically (shift*s / (1 + (shift-1)*s), shift and shift-1 rounded to fp32
    // first) or, with useDynamicShifting, by time_shift(mu, 1, s) (exponential: E / (E + (1/s - 1)) with E =
    // fp32(exp mu); linear: fp32(mu) in place of E). mu is required exactly when useDynamicShifting is set.
    // timesteps = fp32(sigma * N); a final sigma 0 is appended. Throws InvalidRequest for an empty list, a
    // sigma outside (0, 1], or a missing/extra mu.
    static FlowMatchEulerSchedule createFromSigmas(const FlowMatchEulerConfig& config,
                                                   const std::vector<double>& sigmas,
                                                   std::optional<double> mu,
                                                   c10::Device device = c10::Device(c10::DeviceType::CPU));

    int64_t steps() const { return m_timesteps.size(0); }
    const at::Tensor& sigmas() const { return m_sigmas; }       // (n + 1) fp32 on the device; last is 0
    const at::Tensor& timesteps() const { return m_timesteps; } // (n) fp32 = fp32(sigma * 1000)
    const FlowMatchEulerConfig& config() const { return m_config; }

    // Lumina model time of every step, t = fp32(1 - q), q = timesteps / numTrainTimesteps by `rule`;
    // (n) fp32 on the schedule's device. t[0] == 0. Expand t[i] to the batch for the transformer.
    at::Tensor modelTimes(TimeDivision rule = TimeDivision::ForDevice) const;

    // The schedule from step `first` on (image-to-image: StableDiffusion3Img2ImgPipeline.get_timesteps keeps
    // timesteps[first:] and sigmas[first:] of the full schedule, so the kept values are bit-identical to it).
    // Throws InvalidRequest unless 0 <= first < steps().
    FlowMatchEulerSchedule from(int64_t first) const;
    // One reference step from step i to i + 1, given the (guided) velocity v predicted at step i:
    // returns eulerStep(x, -v, sigmas[i], sigmas[i+1]). The state comes back in v's dtype.
    // Throws InvalidRequest for i outside 0..n-1 or latents on another device than the schedule.
    at::Tensor step(int64_t i, const at::Tensor& x, const at::Tensor& velocity) const;

private:
    FlowMatchEulerConfig m_config;
    at::Tensor m_sigmas;
    at::Tensor m_timesteps;
};

// calculate_shift (pipeline_lumina2.py, copied from pipeline_flux.py) in float64, with the config's line:
// m = (maxShift - baseShift) / (maxLen - baseLen), b = baseShift - m * baseLen, mu = len * m + b.
// Throws InvalidRequest when maxImageSeqLen == baseImageSeqLen.
double calculateShift(int64_t imageSeqLen, const FlowMatchEulerConfig& config);

// numpy.linspace(start, stop, num) in float64 (the last point set to stop; num == 1 gives start).
std::vector<double> numpyLinspace(double start, double stop, int64_t num);

// t_model for a vector of timesteps (see TimeDivision).
at::Tensor modelTime(const at::Tensor& timesteps, int64_t numTrainTimesteps, TimeDivision rule);

// FlowMatchEulerDiscreteScheduler.step: x' = (x.float() + dt * u).to(u.dtype) with dt = sigmaNext - sigma a
// 0-d tensor on the execution device and u = -v. With u in bf16 the product dt*u is bf16 (dt rounded to
// bf16 first, on CPU and for a 0-d CUDA dt alike; docs/reference-notes.md, Scheduler); the sum is fp32 and
// the state is re-rounded.
at::Tensor eulerStep(const at::Tensor& x, const at::Tensor& u, const at::Tensor& sigma,
                     const at::Tensor& sigmaNext);

} // namespace lumina::sampling
