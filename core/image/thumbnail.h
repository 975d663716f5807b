#pragma once
// Gallery thumbnails: an area-averaged downscale and a PNG encoding that need neither OIIO nor Qt.
#include "core/image/image_buffers.h"

#include <cstdint>
#include <vector>

namespace lumina::image {

// Shrinks so that the longer edge is at most maxEdge (aspect ratio kept, each side at least 1 pixel) by
// averaging every source pixel that falls into a destination pixel. Never enlarges.
Rgb8Image downscaleToFit(const Rgb8Image& image, int maxEdge);

// PNG bytes of the downscaled image, ready for GalleryItem::thumbnailPng.
std::vector<uint8_t> thumbnailPng(const Rgb8Image& image, int maxEdge = 256);
std::vector<uint8_t> thumbnailPng(const FloatImage& image, int maxEdge = 256);

} // namespace lumina::image
