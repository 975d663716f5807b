#pragma once
// Classifier-free guidance as in diffusers pipeline_lumina.py (and the official forward_with_cfg), spec §4.3.
#include <ATen/core/Tensor.h>
#include <string>
#include <string_view>

namespace lumina::sampling {

enum class CfgChannels {
    Reference3, // reference: channels 0-2 guided, channel 3 (and any further) from the conditional half
    All,        // NON-REFERENCE option: standard CFG on every channel
};

std::string cfgChannelsName(CfgChannels channels);   // "3" / "all"
CfgChannels parseCfgChannels(std::string_view name); // throws InvalidRequest

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
                           CfgChannels channels = CfgChannels::Reference3);

} // namespace lumina::sampling
