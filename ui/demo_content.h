#pragma once
// Procedural pictures for the demo engine and the demo gallery (`lumina-studio --demo`, GUI tests,
// screenshots): a simple landscape (sky, sun, hills) whose colours come from the seed. Nothing here is a
// model output.
#include "core/gallery/gallery_store.h"

#include <QImage>
#include <QString>
#include <cstdint>

namespace lumina {
namespace ui {

QImage demoPicture(uint64_t seed, QSize size);
// The picture at an early stage of "denoising": mixed with seed-dependent noise, noise = 1 - progress.
QImage demoPreview(uint64_t seed, QSize size, double progress);
// Adds count demo items (PNG files under folder, thumbnails, settings) to the gallery.
void fillDemoGallery(gallery::GalleryStore& store, int count, const QString& folder);

} // namespace ui
} // namespace lumina
