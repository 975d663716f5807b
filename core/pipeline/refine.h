#pragma once
// Refine ×2–×4 (docs/img2img.md, "Refine"): a finished picture run again through image-to-image at a multiple
// of its size, with its own prompt, seed and sampling settings (the extrapolation rules included), so the
// large image keeps the composition of the small one.
#include "core/pipeline/request.h"

#include <cstdint>
#include <string>

namespace lumina::pipeline {

struct RefineSource {
    GenerationRequest request; // the settings the picture was made with
    int width = 0, height = 0; // the picture's size
    std::string imagePath;     // the picture itself (the init image)
    int64_t galleryItem = 0;   // its gallery item; 0 when it has none
};

// The request for `factor` (2, 3 or 4) times the picture's size, each side rounded to the nearest multiple of
// 16, at `strength`. Throws InvalidRequest naming the size when the result would exceed the largest size
// (6144 pixels a side), for a factor outside 2..4, or when the source has no image file.
GenerationRequest refineRequest(const RefineSource& source, int factor, double strength = kRefineStrength);

} // namespace lumina::pipeline
