// Reference: diffusers pipelines/lumina/pipeline_lumina.py, the guidance block of LuminaPipeline.__call__.
#include "core/sampling/guidance.h"

#include "core/util/errors.h"

#include <fmt/format.h>
#include <torch/torch.h>

namespace lumina::sampling {

namespace {
// The reference guides this many leading channels (inherited from DiT's forward_with_cfg).
constexpr int64_t kGuidedChannels = 3;
} // namespace

at::Tensor combineGuidance(const at::Tensor& velocity, double scale, CFGChannels channels) {
    if (!guidanceEnabled(scale)) return velocity;
    if (velocity.dim() < 2 || velocity.size(0) % 2 != 0 || velocity.size(1) <= kGuidedChannels)
        throw InvalidRequest(
            fmt::format("guidance needs a (2B, C>=4, ...) batch (conditional rows first), got {} "
                        "dims, batch {}",
                        velocity.dim(), velocity.dim() > 0 ? velocity.size(0) : 0));
    const int64_t b = velocity.size(0) / 2;
    const auto cond = velocity.slice(0, 0, b);
    const auto uncond = velocity.slice(0, b, 2 * b);
    if (channels == CFGChannels::All) return uncond + (cond - uncond) * scale;
    const auto c3 = cond.slice(1, 0, kGuidedChannels);
    const auto u3 = uncond.slice(1, 0, kGuidedChannels);
    const auto guided = u3 + (c3 - u3) * scale;
    return torch::cat({guided, cond.slice(1, kGuidedChannels)}, 1);
}

} // namespace lumina::sampling
