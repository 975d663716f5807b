#include "core/pipeline/refine.h"

#include "core/util/errors.h"

#include <cmath>
#include <fmt/format.h>

namespace lumina::pipeline {

GenerationRequest refineRequest(const RefineSource& source, int factor, double strength) {
    if (factor < 2 || factor > 4)
        throw InvalidRequest(fmt::format("refine factor must be 2, 3 or 4, not {}", factor));
    if (source.imagePath.empty()) throw InvalidRequest("this picture has no image file to refine");
    if (source.width < 1 || source.height < 1)
        throw InvalidRequest(
            fmt::format("cannot refine a picture of {}x{} pixels", source.width, source.height));
    auto side = [factor](int pixels) {
        return static_cast<int>(std::lround(static_cast<double>(pixels) * factor / 16.0)) * 16;
    };
    GenerationRequest r = source.request;
    r.width = side(source.width);
    r.height = side(source.height);
    if (r.width > 6144 || r.height > 6144)
        throw InvalidRequest(
            fmt::format("×{} of {}x{} is {}x{}, above the largest size of 6144 pixels a side: "
                        "choose a smaller factor",
                        factor, source.width, source.height, r.width, r.height));
    r.initImage.path = source.imagePath;
    r.initImage.strength = strength;
    r.initImage.resize = InitResize::Fit;
    r.initImage.galleryItem =
        source.galleryItem > 0 ? std::optional<int64_t>(source.galleryItem) : std::optional<int64_t>();
    validateRequest(r);
    return r;
}

} // namespace lumina::pipeline
