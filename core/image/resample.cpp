// Reference: Pillow src/libImaging/Resample.c (precompute_coeffs, lanczos_filter, sinc_filter,
// ImagingResampleHorizontal_32bpc / ImagingResampleVertical_32bpc, ImagingResampleInner's pass order).
#include "core/image/resample.h"

#include "core/util/errors.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numbers>

namespace lumina::image {
namespace {

double sinc(double x) {
    if (x == 0.0) return 1.0;
    x *= std::numbers::pi;
    return std::sin(x) / x;
}

double lanczos3(double x) {
    if (-3.0 <= x && x < 3.0) return sinc(x) * sinc(x / 3.0);
    return 0.0;
}

// Per output pixel: the first input pixel, the number of taps and the normalized weights.
struct Taps {
    std::vector<int> first, count;
    std::vector<double> weights; // count.size() rows of `stride`
    int stride = 0;
};

Taps coefficients(int inSize, int outSize) {
    const double scale = static_cast<double>(inSize) / static_cast<double>(outSize);
    const double filterScale = std::max(scale, 1.0);
    const double support = 3.0 * filterScale;
    Taps t;
    t.stride = static_cast<int>(std::ceil(support)) * 2 + 1;
    t.first.resize(outSize);
    t.count.resize(outSize);
    t.weights.assign(static_cast<std::size_t>(outSize) * t.stride, 0.0);
    const double ss = 1.0 / filterScale;
    for (int xx = 0; xx < outSize; ++xx) {
        const double center = (xx + 0.5) * scale;
        // Truncation of (x + 0.5), not lround: Pillow's Resample.c precompute_coeffs does exactly this, and
        // the reference images are Pillow's.
        int xmin = static_cast<int>(center - support + 0.5); // NOLINT(bugprone-incorrect-roundings)
        if (xmin < 0) xmin = 0;
        int xmax = static_cast<int>(center + support + 0.5); // NOLINT(bugprone-incorrect-roundings)
        if (xmax > inSize) xmax = inSize;
        xmax -= xmin;
        double* k = &t.weights[static_cast<std::size_t>(xx) * t.stride];
        double sum = 0.0;
        for (int x = 0; x < xmax; ++x) {
            const double w = lanczos3((x + xmin - center + 0.5) * ss);
            k[x] = w;
            sum += w;
        }
        for (int x = 0; x < xmax; ++x)
            if (sum != 0.0) k[x] /= sum;
        t.first[xx] = xmin;
        t.count[xx] = xmax;
    }
    return t;
}

} // namespace

FloatImage resizeLanczos(const FloatImage& image, int width, int height) {
    if (image.empty() || image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * 3)
        throw InvalidRequest("cannot resize an empty image");
    if (width < 1 || height < 1)
        throw InvalidRequest(fmt::format("cannot resize an image to {}x{} pixels", width, height));
    FloatImage current = image;
    if (width != image.width) { // horizontal pass first, as Pillow does
        const auto taps = coefficients(image.width, width);
        FloatImage out{width, image.height,
                       std::vector<float>(static_cast<std::size_t>(width) * image.height * 3)};
        for (int y = 0; y < image.height; ++y)
            for (int xx = 0; xx < width; ++xx) {
                const double* k = &taps.weights[static_cast<std::size_t>(xx) * taps.stride];
                for (int c = 0; c < 3; ++c) {
                    double s = 0.0;
                    for (int x = 0; x < taps.count[xx]; ++x)
                        s += static_cast<double>(current.pixels[(static_cast<std::size_t>(y) * current.width +
                                                                 taps.first[xx] + x) *
                                                                    3 +
                                                                c]) *
                             k[x];
                    out.pixels[(static_cast<std::size_t>(y) * width + xx) * 3 + c] = static_cast<float>(s);
                }
            }
        current = std::move(out);
    }
    if (height != image.height) {
        const auto taps = coefficients(image.height, height);
        FloatImage out{current.width, height,
                       std::vector<float>(static_cast<std::size_t>(current.width) * height * 3)};
        for (int yy = 0; yy < height; ++yy) {
            const double* k = &taps.weights[static_cast<std::size_t>(yy) * taps.stride];
            for (int x = 0; x < current.width; ++x)
                for (int c = 0; c < 3; ++c) {
                    double s = 0.0;
                    for (int y = 0; y < taps.count[yy]; ++y)
                        s += static_cast<double>(
                                 current.pixels
                                     [(static_cast<std::size_t>(taps.first[yy] + y) * current.width + x) * 3 +
                                      c]) *
                             k[y];
                    out.pixels[(static_cast<std::size_t>(yy) * current.width + x) * 3 + c] =
                        static_cast<float>(s);
                }
        }
        current = std::move(out);
    }
    return current;
}

FloatImage cropToAspect(const FloatImage& image, int width, int height) {
    if (image.empty()) throw InvalidRequest("cannot crop an empty image");
    if (width < 1 || height < 1)
        throw InvalidRequest(fmt::format("cannot crop an image to the aspect ratio {}:{}", width, height));
    int cw = image.width, ch = image.height;
    // Compare W/H with w/h in integers: W * h against w * H.
    const int64_t lhs = static_cast<int64_t>(image.width) * height,
                  rhs = static_cast<int64_t>(width) * image.height;
    if (lhs > rhs) // wider than the target: keep the full height
        cw = std::max(1, static_cast<int>(std::llround(static_cast<double>(image.height) * width / height)));
    else if (lhs < rhs)
        ch = std::max(1, static_cast<int>(std::llround(static_cast<double>(image.width) * height / width)));
    if (cw == image.width && ch == image.height) return image;
    const int x0 = (image.width - cw) / 2, y0 = (image.height - ch) / 2;
    FloatImage out{cw, ch, std::vector<float>(static_cast<std::size_t>(cw) * ch * 3)};
    for (int y = 0; y < ch; ++y)
        std::copy_n(&image.pixels[(static_cast<std::size_t>(y0 + y) * image.width + x0) * 3],
                    static_cast<std::size_t>(cw) * 3, &out.pixels[static_cast<std::size_t>(y) * cw * 3]);
    return out;
}

FloatImage prepareInitImage(const FloatImage& image, int width, int height, InitResize resize) {
    if (image.empty()) throw InvalidRequest("the init image has no pixels");
    FloatImage out = resize == InitResize::Crop ? cropToAspect(image, width, height) : image;
    if (out.width != width || out.height != height) out = resizeLanczos(out, width, height);
    for (auto& v : out.pixels)
        v = std::isfinite(v) ? std::clamp(v, 0.0f, 1.0f) : 0.0f;
    return out;
}

} // namespace lumina::image
