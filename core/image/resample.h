#pragma once
// Resampling of float images: Lanczos-3 with Pillow's kernel placement and normalization (Pillow
// src/libImaging/Resample.c: precompute_coeffs, lanczos_filter, the horizontal pass before the vertical one),
// computed in float as Pillow does for 32-bit float images, so a reference can reproduce it exactly; and the
// init-image preparation of image-to-image (docs/img2img.md).
#include "core/image/image_buffers.h"
#include "core/vocabulary/choices.h"

namespace lumina::image {

// `image` resampled to width x height (both >= 1) with the Lanczos-3 filter; downscaling widens the kernel by
// the scale factor (antialiasing). Values are not clamped (Lanczos overshoots near edges). Throws
// InvalidRequest for an empty image or a non-positive size.
FloatImage resizeLanczos(const FloatImage& image, int width, int height);

// The centred region of `image` with the aspect ratio width:height (the whole image when it already has it):
// left/top offsets floor((W - w') / 2), sizes rounded to the nearest pixel, at least 1.
FloatImage cropToAspect(const FloatImage& image, int width, int height);

// An init image at exactly width x height: Fit resamples the whole image to that size, Crop first cuts the
// centred region of the target's aspect ratio; then Lanczos-3 (skipped when the size already matches) and a
// clamp to [0, 1]. Throws InvalidRequest for an empty image.
FloatImage prepareInitImage(const FloatImage& image, int width, int height, InitResize resize);

} // namespace lumina::image
