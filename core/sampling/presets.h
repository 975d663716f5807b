#pragma once
// Sampling presets: "diffusers" reproduces the diffusers LuminaPipeline defaults (the parity reference),
// "lumina" reproduces the official Lumina-T2X demo *recipe* (not its pixels: RNG, prompt handling, VAE
// precision and quantization differ, spec §10). Spec §8.3.
#include "core/sampling/guidance.h"
#include "core/sampling/ode_solver.h"
#include "core/sampling/rope_scaling.h"
#include "core/sampling/time_grid.h"

#include <string>
#include <string_view>
#include <vector>

namespace lumina::sampling {

struct FlowMatchEulerConfig;

struct SamplingPreset {
    std::string name;
    Sampler sampler = Sampler::FlowMatchEuler;
    int64_t steps = 30;         // intervals (see ode_solver.h); NFE = modelEvaluations(sampler, steps)
    double guidanceScale = 4.0; // CFG when > 1
    CfgChannels cfgChannels = CfgChannels::Reference3;
    double shift = 1.0;                         // diffusers scheduler shift / official t_shift
    GridSpacing spacing = GridSpacing::Uniform; // official solvers only
    double sigmoidKappa = kDefaultSigmoidKappa;
    RopeScalingSettings rope;
    bool proportionalAttention = true; // base = proportionalAttentionBase(rope.nativeImageSize)
};

// "diffusers": diffusers-euler, 30 steps, guidance 4, shift from the scheduler config, time-aware RoPE
//   applied at every size with watershed 1.0 (so always linear), proportional attention on.
// "lumina": midpoint, 29 steps (= the official demo's "30 steps": 30 grid points), guidance 4, t_shift 4,
//   time-aware RoPE with watershed 0.3 only for extrapolation sizes (W*H > 1024^2), proportional attention
//   on.
// Throws InvalidRequest for other names.
SamplingPreset presetSettings(std::string_view name, const FlowMatchEulerConfig& scheduler);
std::vector<std::string> presetNames();

} // namespace lumina::sampling
