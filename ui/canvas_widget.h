#pragma once
// The central canvas: paints the newest step preview scaled up smoothly to the size being generated, then the
// final image. Wheel zooms around the cursor, dragging pans, fitToWindow()/actualSize() reset the view.
// Very wide or tall images (4096x1024 panoramas) fit by their longer side and can be panned at 100%.
#include <QImage>
#include <QPointF>
#include <QWidget>

namespace lumina {
namespace ui {

class CanvasWidget : public QWidget {
    Q_OBJECT
public:
    explicit CanvasWidget(QWidget* parent = nullptr);

    // image is drawn as if it were logicalSize (a 64-pixel preview of a 1024x1024 image fills 1024x1024).
    void showPreview(const QImage& image, QSize logicalSize);
    void showImage(const QImage& image);
    void clear();
    void setPlaceholder(const QString& text);
    const QImage& image() const { return m_image; }
    bool isPreview() const { return m_preview; }
    double zoom() const { return m_fit ? fitScale() : m_zoom; }

public slots:
    void fitToWindow();
    void actualSize();

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    double fitScale() const;
    QRectF imageRect() const;
    QImage m_image;
    QImage m_scaled; // m_image at the current zoom, when zoomed out
    qint64 m_scaledKey = 0;
    QSize m_logical;
    bool m_preview = false;
    bool m_fit = true;
    double m_zoom = 1.0;
    QPointF m_center; // image point shown at the widget centre (logical pixels), when not fitting
    QPoint m_lastDrag;
    bool m_dragging = false;
    QString m_placeholder;
};

} // namespace ui
} // namespace lumina
