#include "core/image/image_buffers.h"

#include <algorithm>
#include <cmath>

namespace lumina::image {

Rgb8Image toRgb8(const FloatImage& image) {
    Rgb8Image out;
    out.width = image.width;
    out.height = image.height;
    out.pixels.resize(image.pixels.size());
    for (std::size_t i = 0; i < image.pixels.size(); ++i) {
        const float v = std::clamp(image.pixels[i], 0.0f, 1.0f) * 255.0f;
        out.pixels[i] = static_cast<uint8_t>(std::nearbyint(v)); // default rounding mode: half to even
    }
    return out;
}

} // namespace lumina::image
