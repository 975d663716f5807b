#pragma once
// Conversions from the core's plain image buffers to Qt images. Every conversion copies the pixels, so the
// result may cross threads while the engine reuses or frees its buffers.
#include "core/image/image_buffers.h"

#include <QByteArray>
#include <QImage>

namespace lumina {
namespace ui {

QImage toQImage(const image::Rgb8Image& image);
QImage toQImage(const image::FloatImage& image);
// A PNG whose longest edge is at most maxEdge pixels, for the gallery database.
QByteArray thumbnailPng(const QImage& image, int maxEdge = 256);

} // namespace ui
} // namespace lumina
