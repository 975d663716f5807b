// Renders the window in its three documented states (empty, running, gallery) in English and Chinese (and the
// gallery in Japanese, and a Lumina-Image 2.0 model with a LoRA list in English and Japanese) through
// the same code as `lumina-studio --demo --screenshot`, and checks the pictures are real (right size, not
// blank, translated). With LUMINA_SCREENSHOT_DIR set, the PNGs are kept there (docs/screenshots is made this
// way).
#include "gui/gui_test_support.h"
#include "ui/canvas_widget.h"
#include "ui/demo_mode.h"
#include "ui/gallery_model.h"
#include "ui/gallery_panel.h"
#include "ui/preferences.h"
#include "ui/theme.h"
#include "ui/translations.h"

#include <QApplication>
#include <QMenuBar>
#include <QSet>
#include <QTranslator>

using namespace lumina;

namespace {
// Distinct colours inside `area` of `image`: a painted picture has thousands, an empty canvas a handful
// (background and the antialiased placeholder text).
int distinctColours(const QImage& image, const QRect& area) {
    QSet<QRgb> colours;
    for (int y = area.top(); y <= area.bottom(); y += 2)
        for (int x = area.left(); x <= area.right(); x += 2)
            colours.insert(image.pixel(x, y));
    return int(colours.size());
}
} // namespace

class TestScreenshots : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void initTestCase() {
        test::isolateSettings(m_dir);
        ui::applyDarkTheme(*qApp);
        QVERIFY(!qApp->styleSheet().isEmpty()); // the theme's stylesheet is embedded
    }

    void shoot_data() {
        QTest::addColumn<QString>("language");
        QTest::addColumn<QString>("state");
        for (const char* lang : {"en", "zh_CN"})
            for (const char* state : {"empty", "running", "gallery"})
                QTest::newRow(qPrintable(QString("%1-%2").arg(state, lang)))
                    << QString(lang) << QString(state);
        QTest::newRow("gallery-ja") << QString("ja") << QString("gallery"); // the longest strings
        // A Lumina-Image 2.0 model with its controls and a LoRA list (one file there, one missing), also in
        // the longest language.
        QTest::newRow("lumina2-en") << QString("en") << QString("lumina2");
        QTest::newRow("lumina2-ja") << QString("ja") << QString("lumina2");
    }

    void shoot() {
        QFETCH(QString, language);
        QFETCH(QString, state);
        QTranslator translator;
        if (language != "en") {
            QVERIFY(translator.load(QLocale(language), "lumina", "_", ":/i18n"));
            QCoreApplication::installTranslator(&translator);
        }
        QTemporaryDir work;
        const QString outDir = qEnvironmentVariable("LUMINA_SCREENSHOT_DIR", m_dir.path());
        const QString file = QDir(outDir).filePath(QString("%1_%2.png").arg(state, language));
        const bool lumina2 = state == "lumina2";
        if (lumina2) { // the model's remembered list, shown when it loads
            QFile(QDir(work.path()).filePath("ink-wash.safetensors")).open(QIODevice::WriteOnly);
            ui::rememberLoras(
                "demo (gradients, no model)",
                {{QDir(work.path()).filePath("ink-wash.safetensors").toStdString(), 0.8, true},
                 {QDir(work.path()).filePath("old-style.safetensors").toStdString(), 1.0, false}});
        }
        ui::MainWindow w(ui::makeDemoEngine(lumina2 ? ModelFamily::Lumina2 : ModelFamily::LuminaNext),
                         ui::prepareDemo(work.path(), state != "empty"));
        w.resize(1600, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        if (language != "en")
            QCOMPARE(w.menuBar()->actions().first()->text(),
                     QString::fromUtf8(language == "ja" ? "ファイル(&F)" : "文件(&F)"));
        int result = -1;
        ui::scheduleScreenshot(w, file, state, [&](bool ok) { result = ok ? 1 : 0; });
        QTRY_VERIFY_WITH_TIMEOUT(result != -1, 30000);
        QCOMPARE(result, 1);
        const QImage shot(file);
        QCOMPARE(shot.size(), QSize(1600, 1000));
        // The picture shows the state it is named after: a preview or a gallery image on the canvas, or the
        // empty canvas with its placeholder.
        auto* canvas = w.findChild<ui::CanvasWidget*>();
        QVERIFY(canvas);
        const QRect canvasArea(canvas->mapTo(&w, QPoint(0, 0)), canvas->size());
        QVERIFY(QRect(QPoint(0, 0), shot.size()).contains(canvasArea));
        const int colours = distinctColours(shot, canvasArea);
        if (state == "empty") {
            QVERIFY2(colours < 200, qPrintable(QString::number(colours)));
            QCOMPARE(w.galleryPanel()->model()->totalCount(), 0);
        } else {
            QVERIFY2(colours > 1000, qPrintable(QString("%1 colours on the canvas").arg(colours)));
        }
        if (state == "gallery") QVERIFY(w.galleryPanel()->model()->totalCount() > 0);
        if (lumina2) { // the LoRA rows are on screen inside the window, the missing one marked
            const QList<QWidget*> rows = w.findChildren<QWidget*>("loraRow");
            QCOMPARE(rows.size(), 2);
            for (QWidget* row : rows) {
                QVERIFY(row->isVisible());
                QVERIFY(QRect(QPoint(0, 0), shot.size())
                            .contains(QRect(row->mapTo(&w, QPoint(0, 0)), row->size())));
            }
            QVERIFY(rows[1]->property("missing").toBool());
        }
        QCoreApplication::removeTranslator(&translator);
    }
};

QTEST_MAIN(TestScreenshots)
#include "test_screenshots.moc"
