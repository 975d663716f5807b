#pragma once
// Classifier-free guidance as in diffusers pipeline_lumina.py (LuminaPipeline.__call__) and
// the official Lumina-T2X lumina_next_t2i_mini/models/nextdit.py (NextDiT.forward_with_cfg); the Lumina-Image
// 2.0 CFG truncation and normalization of diffusers pipeline_lumina2.py (Lumina2Pipeline.__call__).
#include "core/sampling/cfg_truncation.h"
#include "core/vocabulary/choices.h"

#include <ATen/core/Tensor.h>
#include <cstdint>
#include <vector>

namespace lumina::sampling {

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

} // namespace lumina::sampling
