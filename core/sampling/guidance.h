#pragma once
// Classifier-free guidance as in diffusers pipeline_lumina.py (LuminaPipeline.__call__) and
// the official Lumina-T2X lumina_next_t2i_mini/models/nextdit.py (NextDiT.forward_with_cfg).
#include "core/vocabulary/choices.h"

#include <ATen/core/Tensor.h>

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

} // namespace lumina::sampling
