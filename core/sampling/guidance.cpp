// Reference: diffusers pipelines/lumina/pipeline_lumina.py, the guidance block of LuminaPipeline.__call__;
// pipelines/lumina2/pipeline_lumina2.py, the truncation and normalization in Lumina2Pipeline.__call__.
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
    if (channels == CFGChannels::All) return classifierFreeGuidance(cond, uncond, scale);
    const auto c3 = cond.slice(1, 0, kGuidedChannels);
    const auto u3 = uncond.slice(1, 0, kGuidedChannels);
    const auto guided = u3 + (c3 - u3) * scale;
    return torch::cat({guided, cond.slice(1, kGuidedChannels)}, 1);
}

namespace {
void requireSameShape(const at::Tensor& a, const at::Tensor& b, const char* what) {
    if (a.sizes() != b.sizes() || a.scalar_type() != b.scalar_type())
        throw InvalidRequest(fmt::format("{}: the two predictions differ ({} {} vs {} {})", what,
                                         c10::toString(a.scalar_type()), c10::str(a.sizes()),
                                         c10::toString(b.scalar_type()), c10::str(b.sizes())));
}
} // namespace

at::Tensor classifierFreeGuidance(const at::Tensor& cond, const at::Tensor& uncond, double scale) {
    requireSameShape(cond, uncond, "classifier-free guidance");
    // The reference writes uncond + scale * (cond - uncond); a Python float times a tensor is the same kernel
    // as tensor times scalar.
    return uncond + (cond - uncond) * scale;
}

at::Tensor normalizeGuidance(const at::Tensor& guided, const at::Tensor& cond) {
    requireSameShape(guided, cond, "guidance normalization");
    if (guided.dim() < 1) throw InvalidRequest("guidance normalization needs at least one dimension");
    const auto condNorm = at::linalg_vector_norm(cond, 2, {-1}, /*keepdim=*/true);
    const auto guidedNorm = at::linalg_vector_norm(guided, 2, {-1}, /*keepdim=*/true);
    return guided * (condNorm / guidedNorm);
}

} // namespace lumina::sampling
