#pragma once
// The init image of an image-to-image run (docs/img2img.md): read from any file OpenImageIO decodes, brought
// to the target size (Fit or Crop, Pillow-compatible Lanczos-3: core/image/resample.h) and mapped to [-1, 1]
// the way diffusers' VaeImageProcessor.normalize (2x - 1) and Lumina-T2X sample_img2img.py
// (transforms.Normalize(0.5, 0.5)) do. Alpha is dropped, greyscale is replicated to RGB, 16-bit and float
// files keep their precision (image::readImage).
#include "core/image/image_buffers.h"
#include "core/vocabulary/choices.h"

#include <ATen/core/Tensor.h>
#include <string>

namespace lumina::pipeline {

// The picture in `path` as float RGB in [0, 1]. Throws InvalidRequest naming the file when it does not exist,
// IoError when it cannot be decoded or has no pixels.
image::FloatImage loadInitImage(const std::string& path);

// (1, 3, height, width) float32 CPU tensor in [-1, 1]: `image` prepared with image::prepareInitImage (resized
// and clamped to [0, 1]), then 2x - 1.
at::Tensor initImageTensor(const image::FloatImage& image, int width, int height, InitResize resize);

} // namespace lumina::pipeline
