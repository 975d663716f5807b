#pragma once
// Plain image buffers that cross module and thread boundaries (no LibTorch, no Qt).
#include <cstdint>
#include <vector>

namespace lumina::image {

// 8-bit RGB, row-major, 3 bytes per pixel: previews and thumbnails.
struct Rgb8Image {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> pixels;
    bool empty() const { return width == 0 || height == 0; }
};

// Float RGB in [0, 1], row-major, 3 floats per pixel: finished images before any 8-bit rounding, so 16-bit
// and half-float exports keep the full precision of the decoder.
struct FloatImage {
    int width = 0;
    int height = 0;
    std::vector<float> pixels;
    bool empty() const { return width == 0 || height == 0; }
};

// round(x * 255) with round-half-to-even after clamping to [0, 1], as the reference post-processing does.
Rgb8Image toRgb8(const FloatImage& image);

} // namespace lumina::image
