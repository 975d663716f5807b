#include "core/image/thumbnail.h"

#include "core/image/png_codec.h"
#include "core/util/errors.h"

#include <algorithm>

namespace lumina::image {

Rgb8Image downscaleToFit(const Rgb8Image& image, int maxEdge) {
    if (maxEdge < 1) throw InvalidRequest("thumbnail size must be at least 1 pixel");
    const int longest = std::max(image.width, image.height);
    if (longest <= maxEdge) return image;
    Rgb8Image out;
    out.width = std::max(1, static_cast<int>(int64_t{image.width} * maxEdge / longest));
    out.height = std::max(1, static_cast<int>(int64_t{image.height} * maxEdge / longest));
    out.pixels.resize(std::size_t(out.width) * out.height * 3);
    for (int oy = 0; oy < out.height; ++oy) {
        const int y0 = static_cast<int>(int64_t{oy} * image.height / out.height);
        const int y1 = std::max(y0 + 1, static_cast<int>(int64_t{oy + 1} * image.height / out.height));
        for (int ox = 0; ox < out.width; ++ox) {
            const int x0 = static_cast<int>(int64_t{ox} * image.width / out.width);
            const int x1 = std::max(x0 + 1, static_cast<int>(int64_t{ox + 1} * image.width / out.width));
            uint32_t sum[3] = {0, 0, 0};
            for (int y = y0; y < y1; ++y)
                for (int x = x0; x < x1; ++x)
                    for (int c = 0; c < 3; ++c)
                        sum[c] += image.pixels[(std::size_t(y) * image.width + x) * 3 + c];
            const uint32_t n = static_cast<uint32_t>((y1 - y0) * (x1 - x0));
            for (int c = 0; c < 3; ++c)
                out.pixels[(std::size_t(oy) * out.width + ox) * 3 + c] =
                    static_cast<uint8_t>((sum[c] + n / 2) / n);
        }
    }
    return out;
}

std::vector<uint8_t> thumbnailPng(const Rgb8Image& image, int maxEdge) {
    return encodePng(downscaleToFit(image, maxEdge));
}

std::vector<uint8_t> thumbnailPng(const FloatImage& image, int maxEdge) {
    return thumbnailPng(toRgb8(image), maxEdge);
}

} // namespace lumina::image
