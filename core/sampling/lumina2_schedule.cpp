// Reference: diffusers pipelines/lumina2/pipeline_lumina2.py, Lumina2Pipeline.__call__ and prepare_latents.
#include "core/sampling/lumina2_schedule.h"

#include "core/util/errors.h"

#include <fmt/format.h>
#include <optional>

namespace lumina::sampling {

int64_t lumina2LatentSide(int64_t imageSide, int64_t vaeScaleFactor) {
    return 2 * (imageSide / (vaeScaleFactor * 2));
}

int64_t lumina2ImageSeqLen(int64_t width, int64_t height, int64_t latentChannels, int64_t patchSize,
                           ImageSeqLenRule rule, int64_t vaeScaleFactor) {
    if (width <= 0 || height <= 0 || latentChannels <= 0 || patchSize <= 0 || vaeScaleFactor <= 0)
        throw InvalidRequest(
            fmt::format("image sequence length needs positive sizes, got {}x{}, {} channels, "
                        "patch {}, VAE factor {}",
                        width, height, latentChannels, patchSize, vaeScaleFactor));
    if (rule == ImageSeqLenRule::Reference) return latentChannels;
    const int64_t h = lumina2LatentSide(height, vaeScaleFactor);
    const int64_t w = lumina2LatentSide(width, vaeScaleFactor);
    if (h == 0 || w == 0 || h % patchSize != 0 || w % patchSize != 0)
        throw InvalidRequest(
            fmt::format("a {}x{} image gives {}x{} latents, which patch size {} does not tile", width, height,
                        w, h, patchSize));
    return (h / patchSize) * (w / patchSize);
}

std::vector<double> lumina2Sigmas(int64_t steps) {
    if (steps < 1) throw InvalidRequest(fmt::format("sampling steps must be at least 1, got {}", steps));
    return numpyLinspace(1.0, 1.0 / static_cast<double>(steps), steps);
}

FlowMatchEulerSchedule lumina2Schedule(const FlowMatchEulerConfig& config, int64_t steps, int64_t imageSeqLen,
                                       c10::Device device) {
    const std::optional<double> mu =
        config.useDynamicShifting ? std::optional<double>(calculateShift(imageSeqLen, config)) : std::nullopt;
    return FlowMatchEulerSchedule::createFromSigmas(config, lumina2Sigmas(steps), mu, device);
}

} // namespace lumina::sampling
