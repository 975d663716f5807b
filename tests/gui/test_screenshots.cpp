// Renders the window in its three documented states (empty, running, gallery) in English and Chinese (and the
// gallery in Japanese) through
// the same code as `lumina-studio --demo --screenshot`, and checks the pictures are real (right size, not
// blank, translated). With LUMINA_SCREENSHOT_DIR set, the PNGs are kept there (docs/screenshots is made this
// way).
#include "gui/gui_test_support.h"
#include "ui/demo_mode.h"
#include "ui/theme.h"
#include "ui/translations.h"

#include <QApplication>
#include <QMenuBar>
#include <QTranslator>

using namespace lumina;

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
        ui::MainWindow w(ui::makeDemoEngine(), ui::prepareDemo(work.path(), state != "empty"));
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
        QVERIFY(shot.pixelColor(800, 500) != shot.pixelColor(10, 990) || state == "empty");
        QCoreApplication::removeTranslator(&translator);
    }
};

QTEST_MAIN(TestScreenshots)
#include "test_screenshots.moc"
