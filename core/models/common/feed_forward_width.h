#pragma once
// The width rule of diffusers attention.py, LuminaFeedForward.__init__, free of LibTorch so that the config
// parsers (which compile without it) share it with the layer.
#include <cstdint>
#include <optional>

namespace lumina::models {

// int(multiplier * innerDim) when a multiplier is set, rounded up to a multiple of multipleOf. innerDim is
// what the block passes (Next-DiT: int(4 * 2 * dim / 3); Lumina-Image 2.0: 4 * dim).
inline int64_t luminaFeedForwardWidth(int64_t innerDim, int64_t multipleOf,
                                      std::optional<double> multiplier) {
    if (multiplier) innerDim = static_cast<int64_t>(*multiplier * static_cast<double>(innerDim));
    return multipleOf * ((innerDim + multipleOf - 1) / multipleOf);
}

} // namespace lumina::models
