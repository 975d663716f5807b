// Reference: diffusers pipelines/lumina/pipeline_lumina.py (scaling_factor, time-aware switch) and the
// official Lumina-T2X demo's extrapolation rule (lumina_next_t2i_mini/demo.py, model_main;
// models/nextdit.py, NextDiT.precompute_freqs_cis); docs/reference-notes.md.
#include "core/sampling/rope_scaling.h"

#include "core/util/errors.h"

#include <cmath>
#include <fmt/format.h>

namespace lumina::sampling {

double ropeScalingFactor(int64_t width, int64_t height, int64_t nativeImageSize) {
    if (width <= 0 || height <= 0 || nativeImageSize <= 0)
        throw InvalidRequest(fmt::format("RoPE scaling needs positive sizes, got {}x{} (native {})", width,
                                         height, nativeImageSize));
    const double native = static_cast<double>(nativeImageSize);
    return std::sqrt(static_cast<double>(width) * static_cast<double>(height) / (native * native));
}

RoPEFactors ropeFactors(const RoPEScalingSettings& settings, int64_t width, int64_t height, float t) {
    if (!(settings.watershed >= 0.0 && settings.watershed <= 1.0))
        throw InvalidRequest(fmt::format("RoPE watershed must lie in [0, 1], got {}", settings.watershed));
    const double factor = ropeScalingFactor(width, height, settings.nativeImageSize);
    const auto native = settings.nativeImageSize;
    if (!settings.applyBelowNative && width * height <= native * native) return {};
    switch (settings.mode) {
    case RoPEScaling::None:
        return {};
    case RoPEScaling::Linear:
        return {factor, 1.0};
    case RoPEScaling::NTK:
        return {1.0, factor};
    case RoPEScaling::TimeAware:
        if (settings.comparison == WatershedComparison::Float64 ? static_cast<double>(t) < settings.watershed
                                                                : t < static_cast<float>(settings.watershed))
            return {factor, 1.0};
        return {1.0, factor};
    }
    return {};
}

} // namespace lumina::sampling
