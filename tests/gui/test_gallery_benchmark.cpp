// A 10,000-item gallery: the view pages through the model (fetchMore) while scrolling to the end; timed.
#include "gui/gui_test_support.h"
#include "support/timing_bound.h"
#include "ui/gallery_model.h"
#include "ui/gallery_panel.h"
#include "ui/qt_image.h"

#include <QElapsedTimer>
#include <QListView>
#include <QScrollBar>

using namespace lumina;

class TestGalleryBenchmark : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { test::isolateSettings(m_dir); }

    void scrollTenThousandItems() {
        constexpr int kItems = 10'000;
        gallery::GalleryStore store(m_dir.filePath("big.sqlite").toStdString());
        QImage thumbImage(96, 64, QImage::Format_RGB888);
        thumbImage.fill(QColor(40, 90, 160));
        const QByteArray png = ui::thumbnailPng(thumbImage);
        QElapsedTimer fill;
        fill.start();
        for (int i = 0; i < kItems; ++i) {
            gallery::GalleryItem item;
            item.createdAtMs = i;
            item.prompt = "item " + std::to_string(i);
            item.width = 1024;
            item.height = 1024;
            item.thumbnailPng.assign(png.begin(), png.end());
            store.addItem(item);
        }
        qInfo() << "filled" << kItems << "items in" << fill.elapsed() << "ms";

        ui::GalleryPanel panel(&store);
        panel.resize(900, 700);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QListView* view = panel.view();
        QElapsedTimer t;
        t.start();
        int frames = 0;
        while (panel.model()->rowCount() < kItems && t.elapsed() < 60000) {
            view->verticalScrollBar()->setValue(view->verticalScrollBar()->maximum());
            QCoreApplication::processEvents(); // lets the view ask for more and paint the visible thumbnails
            view->viewport()->repaint();
            ++frames;
        }
        const qint64 ms = t.elapsed();
        qInfo() << "scrolled through" << panel.model()->rowCount() << "items in" << ms << "ms," << frames
                << "frames," << double(ms) / std::max(1, frames) << "ms per frame";
        QCOMPARE(panel.model()->rowCount(), kItems);
        LUMINA_VERIFY_WITHIN_MS(double(ms) / frames, 50, "average scroll frame");
        // Jumping around once everything is loaded stays cheap.
        t.restart();
        for (int i = 0; i < 50; ++i) {
            view->scrollTo(panel.model()->index((i * 997) % kItems));
            view->viewport()->repaint();
        }
        qInfo() << "50 random jumps:" << t.elapsed() << "ms";
        LUMINA_VERIFY_WITHIN_MS(t.elapsed(), 2500, "50 random jumps");
    }
};

QTEST_MAIN(TestGalleryBenchmark)
#include "test_gallery_benchmark.moc"
