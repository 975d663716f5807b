#include "ui/canvas_widget.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>
#include <cmath>

namespace lumina {
namespace ui {

CanvasWidget::CanvasWidget(QWidget* parent)
    : QWidget(parent) {
    setObjectName("canvas");
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(320, 240);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setAccessibleName(tr("Image canvas"));
}

void CanvasWidget::showPreview(const QImage& image, QSize logicalSize) {
    const bool newRun = !m_preview || logicalSize != m_logical;
    m_image = image;
    m_logical = logicalSize.isValid() ? logicalSize : image.size();
    m_preview = true;
    if (newRun && !m_fit) m_center = QPointF(m_logical.width() / 2.0, m_logical.height() / 2.0);
    update();
}

void CanvasWidget::showImage(const QImage& image) {
    const bool sameSize = image.size() == m_logical;
    m_image = image;
    m_logical = image.size();
    m_preview = false;
    if (!sameSize) m_center = QPointF(m_logical.width() / 2.0, m_logical.height() / 2.0);
    update();
}

void CanvasWidget::clear() {
    m_image = QImage();
    m_logical = QSize();
    m_preview = false;
    update();
}

void CanvasWidget::setPlaceholder(const QString& text) {
    m_placeholder = text;
    update();
}

void CanvasWidget::fitToWindow() {
    m_fit = true;
    update();
}

void CanvasWidget::actualSize() {
    m_fit = false;
    m_zoom = 1.0;
    m_center = QPointF(m_logical.width() / 2.0, m_logical.height() / 2.0);
    update();
}

double CanvasWidget::fitScale() const {
    if (m_logical.isEmpty()) return 1.0;
    const double margin = 24;
    return std::min((width() - margin) / m_logical.width(), (height() - margin) / m_logical.height());
}

QRectF CanvasWidget::imageRect() const {
    const double s = zoom();
    const QSizeF size(m_logical.width() * s, m_logical.height() * s);
    if (m_fit) return QRectF(QPointF((width() - size.width()) / 2, (height() - size.height()) / 2), size);
    return QRectF(QPointF(width() / 2.0 - m_center.x() * s, height() / 2.0 - m_center.y() * s), size);
}

void CanvasWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), QColor(0x18, 0x19, 0x1c));
    if (m_image.isNull()) {
        p.setPen(QColor(0x80, 0x84, 0x8c));
        p.drawText(rect().adjusted(24, 24, -24, -24), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        return;
    }
    const QRectF target = imageRect();
    p.fillRect(target.adjusted(-1, -1, 1, 1), QColor(0x0e, 0x0f, 0x11));
    // Smooth scaling for previews and for zoomed-out views; at 100% and above show real pixels.
    if (!m_preview && zoom() < 1.0) {
        // Zoomed out: scale once and keep the result, so repaints (progress updates, panning) cost a blit.
        const QSize size = target.size().toSize();
        if (m_scaled.size() != size || m_scaledKey != m_image.cacheKey()) {
            m_scaled = m_image.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
            m_scaledKey = m_image.cacheKey();
        }
        p.drawImage(target.topLeft(), m_scaled);
        return;
    }
    p.setRenderHint(QPainter::SmoothPixmapTransform, m_preview || zoom() < 2.0); // real pixels from 200% up
    p.drawImage(target, m_image);
}

void CanvasWidget::wheelEvent(QWheelEvent* event) {
    if (m_image.isNull()) return;
    const double old = zoom();
    const QPointF cursor = event->position();
    const QRectF r = imageRect();
    const QPointF anchor((cursor.x() - r.left()) / old,
                         (cursor.y() - r.top()) / old); // image point under cursor
    const double factor = std::pow(1.0015, event->angleDelta().y());
    m_zoom = std::clamp(old * factor, 0.02, 32.0);
    m_fit = false;
    // Keep the anchor under the cursor.
    m_center = QPointF(anchor.x() - (cursor.x() - width() / 2.0) / m_zoom,
                       anchor.y() - (cursor.y() - height() / 2.0) / m_zoom);
    update();
    event->accept();
}

void CanvasWidget::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton && !m_image.isNull()) {
        if (m_fit) {
            m_zoom = fitScale();
            m_center = QPointF(m_logical.width() / 2.0, m_logical.height() / 2.0);
            m_fit = false;
        }
        m_dragging = true;
        m_lastDrag = event->position().toPoint();
        setCursor(Qt::ClosedHandCursor);
    }
}

void CanvasWidget::mouseMoveEvent(QMouseEvent* event) {
    if (!m_dragging) return;
    const QPoint now = event->position().toPoint();
    m_center -= QPointF(now - m_lastDrag) / m_zoom;
    m_lastDrag = now;
    update();
}

void CanvasWidget::mouseReleaseEvent(QMouseEvent*) {
    m_dragging = false;
    unsetCursor();
}

void CanvasWidget::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_0 || event->key() == Qt::Key_F)
        fitToWindow();
    else if (event->key() == Qt::Key_1)
        actualSize();
    else
        QWidget::keyPressEvent(event);
}

} // namespace ui
} // namespace lumina
