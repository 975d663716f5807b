#pragma once
// Lumina-Image 2.0 CFG truncation of diffusers pipeline_lumina2.py (Lumina2Pipeline.__call__,
// cfg_trunc_ratio), kept free of LibTorch so the studio can show what a truncation ratio saves
// (docs/sampling.md).
#include <cstdint>
#include <vector>

namespace lumina::sampling {

// CFG runs (batch doubled, conditional rows first) only when scale > 1.
inline bool guidanceEnabled(double scale) {
    return scale > 1.0;
}

// Lumina2Pipeline's cfg_trunc_ratio: step i (0-based) of n skips the unconditional branch when
// (i + 1) / n > ratio (a float64 comparison). Guided = guidanceEnabled(scale) and not truncated.
// Throws InvalidRequest for n < 1 or i outside 0..n-1.
bool lumina2StepGuided(int64_t step, int64_t steps, double scale, double cfgTruncRatio);

// Default cfg_trunc_ratio of Lumina2Pipeline.__call__ (1.0: every step guided).
constexpr double kLumina2DefaultCfgTruncRatio = 1.0;

// Which steps run both branches, for the UI. Lumina2Pipeline runs the conditional and the unconditional
// branch as two separate transformer calls, so evaluations = steps + guided steps.
struct CfgTruncationPlan {
    std::vector<bool> guided;     // per step
    int64_t guidedSteps = 0;      // steps that run the unconditional branch too
    int64_t evaluations = 0;      // transformer calls: steps + guidedSteps
    int64_t savedEvaluations = 0; // versus guiding every step: (guidanceEnabled ? steps : 0) - guidedSteps
};
CfgTruncationPlan lumina2CfgTruncationPlan(int64_t steps, double scale, double cfgTruncRatio);

} // namespace lumina::sampling
