#include "ui/demo_content.h"

#include "core/pipeline/request.h"
#include "ui/qt_image.h"

#include <QDateTime>
#include <QDir>
#include <QPainter>
#include <QPainterPath>
#include <QRandomGenerator>
#include <cmath>

namespace lumina {
namespace ui {

QImage demoPicture(uint64_t seed, QSize size) {
    QImage img(size, QImage::Format_RGB888);
    QPainter p(&img);
    p.setRenderHint(QPainter::Antialiasing);
    const int hue = int(seed * 47 % 360);
    const double w = size.width(), h = size.height();
    QLinearGradient sky(0, 0, 0, h);
    sky.setColorAt(0, QColor::fromHsv(hue, 120, 90));
    sky.setColorAt(0.6, QColor::fromHsv((hue + 30) % 360, 140, 230));
    sky.setColorAt(1, QColor::fromHsv((hue + 50) % 360, 90, 250));
    p.fillRect(img.rect(), sky);
    const double sunX = w * (0.2 + 0.6 * double(seed % 97) / 96.0), sunY = h * 0.45,
                 sunR = std::min(w, h) * 0.12;
    QRadialGradient sun(sunX, sunY, sunR * 2.5);
    sun.setColorAt(0, QColor(255, 244, 214));
    sun.setColorAt(0.4, QColor(255, 214, 160, 200));
    sun.setColorAt(1, QColor(255, 200, 150, 0));
    p.setPen(Qt::NoPen);
    p.setBrush(sun);
    p.drawEllipse(QPointF(sunX, sunY), sunR * 2.5, sunR * 2.5);
    for (int layer = 0; layer < 3; ++layer) {
        QPainterPath hills;
        const double base = h * (0.62 + 0.12 * layer), amp = h * (0.08 - 0.015 * layer);
        const double freq = 2.0 + layer + double((seed >> (layer * 3)) % 5) * 0.4;
        hills.moveTo(0, h);
        for (int x = 0; x <= 64; ++x) {
            const double u = x / 64.0;
            hills.lineTo(u * w, base - amp * std::sin(u * freq * 3.14159 + layer + double(seed % 13)));
        }
        hills.lineTo(w, h);
        hills.closeSubpath();
        p.setBrush(QColor::fromHsv((hue + 200 + layer * 10) % 360, 90 + layer * 30, 120 - layer * 35));
        p.drawPath(hills);
    }
    return img;
}

QImage demoPreview(uint64_t seed, QSize size, double progress) {
    QImage img = demoPicture(seed, size);
    QRandomGenerator rng(quint32(seed ^ 0x9e3779b9u));
    const double noise = std::pow(1.0 - std::clamp(progress, 0.0, 1.0), 1.5);
    for (int y = 0; y < img.height(); ++y) {
        uchar* row = img.scanLine(y);
        for (int x = 0; x < img.width() * 3; ++x) {
            const double n = rng.bounded(256);
            row[x] = uchar(std::lround(row[x] * (1 - noise) + n * noise));
        }
    }
    return img;
}

void fillDemoGallery(gallery::GalleryStore& store, int count, const QString& folder) {
    static const char* prompts[] = {
        "A quiet lake at dawn, mist over the water, soft pastel light",
        "Rolling hills under a warm sunset, painterly, wide angle",
        "山间的晨雾，远处的太阳，水彩画风格",
        "Desert dunes at dusk, long shadows, cinematic",
        "夕暮れの丘、柔らかな光、アニメ風の背景美術",
        "A panoramic valley with layered mountains, golden hour",
        "Northern coast, pale sky, minimalist landscape poster",
        "Autumn fields and a low sun, oil painting",
    };
    QDir().mkpath(folder);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int i = 0; i < count; ++i) {
        const uint64_t seed = 1000 + uint64_t(i) * 7919;
        const QSize size = i % 5 == 3 ? QSize(1024, 256) : i % 4 == 1 ? QSize(448, 576) : QSize(512, 512);
        pipeline::GenerationRequest r;
        r.prompt = prompts[i % std::size(prompts)];
        r.width = size.width() * 2;
        r.height = size.height() * 2;
        r.seed = seed;
        r.sampling = pipeline::presetSettings("lumina");
        const QImage image = demoPicture(seed, size);
        const QString path = QDir(folder).filePath(QStringLiteral("demo_%1.png").arg(i, 3, 10, QChar('0')));
        image.save(path, "PNG");
        gallery::GalleryItem item;
        item.createdAtMs = now - qint64(count - i) * 60'000;
        item.prompt = r.prompt;
        item.settings = pipeline::toJson(r);
        item.seed = seed;
        item.width = r.width;
        item.height = r.height;
        item.imagePath = path.toStdString();
        const QByteArray thumb = thumbnailPng(image);
        item.thumbnailPng.assign(thumb.begin(), thumb.end());
        item.favourite = i % 6 == 0;
        item.durationMs = 1000;
        item.model = "demo";
        item.device = "cpu";
        store.addItem(item);
    }
}

} // namespace ui
} // namespace lumina
