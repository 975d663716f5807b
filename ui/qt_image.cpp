#include "ui/qt_image.h"

#include <QBuffer>

namespace lumina {
namespace ui {

QImage toQImage(const image::Rgb8Image& image) {
    if (image.empty() || image.pixels.size() < std::size_t(image.width) * image.height * 3) return {};
    // Wrap the buffer, then copy(): the returned image owns its pixels.
    const QImage view(image.pixels.data(), image.width, image.height, image.width * 3, QImage::Format_RGB888);
    return view.copy();
}

QImage toQImage(const image::FloatImage& image) {
    return toQImage(image::toRgb8(image));
}

QByteArray thumbnailPng(const QImage& image, int maxEdge) {
    if (image.isNull()) return {};
    const QImage small = (image.width() > maxEdge || image.height() > maxEdge)
                             ? image.scaled(maxEdge, maxEdge, Qt::KeepAspectRatio, Qt::SmoothTransformation)
                             : image;
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    small.save(&buffer, "PNG");
    return bytes;
}

} // namespace ui
} // namespace lumina
