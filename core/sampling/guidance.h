#pragma once
// Classifier-free guidance as in diffusers pipeline_lumina.py (LuminaPipeline.__call__) and
// the official Lumina-T2X lumina_next_t2i_mini/models/nextdit.py (NextDiT.forward_with_cfg); the Lumina-Image
// 2.0 CFG truncation and normalization of diffusers pipeline_lumina2.py (Lumina2Pipeline.__call__).
#include "core/vocabulary/choices.h"

#include <ATen/core/Tensor.h>
#include <cstdint>
#include <vector>

namespace lumina::sampling {

// CFG runs (batch doubled, conditional rows first) only when scale > 1.
inline bool guidanceEnabled(double scale) {
    return scale > 1.0;
}

// velocity: the model output with the learn_sigma half already dropped, (2B, C, h, w) with rows 0..B-1
// conditional and B..2B-1 unconditional. Returns (B, C, h, w) in the model dtype, computed as
// uncond + scale * (cond - uncond) with each op rounded to the model dtype (reference order).
// When guidanceEnabled(scale) is false the caller ran only the conditional batch: returned unchanged.
// Throws InvalidRequest for an odd batch or fewer than 4 channels.
at::Tensor combineGuidance(const at::Tensor& velocity, double scale,
                           CFGChannels channels = CFGChannels::Reference3);

// uncond + scale * (cond - uncond) on every channel, each op rounded to the tensors' dtype (reference order).
// Throws InvalidRequest when the shapes or dtypes differ.
at::Tensor classifierFreeGuidance(const at::Tensor& cond, const at::Tensor& uncond, double scale);

// Lumina2Pipeline's cfg_normalization: guided * (||cond|| / ||guided||), both 2-norms over the LAST dimension
// only (torch.norm(x, dim=-1, keepdim=True) = linalg.vector_norm over the latent width of (B, C, h, w), one
// norm per row of a channel), computed and rounded in the tensors' dtype. Throws InvalidRequest on shape
// mismatch.
at::Tensor normalizeGuidance(const at::Tensor& guided, const at::Tensor& cond);

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
