// The main window opens with its menus and closes cleanly; the studio binary answers --version.
#include "gui/gui_test_support.h"
#include "ui/main_window.h"

#include "ui/demo_engine.h"
#include "ui/theme.h"

#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QProcess>
#include <QProgressBar>
#include <QTranslator>
#include <QtTest>

class TestMainWindow : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
private slots:
    void initTestCase() { lumina::test::isolateSettings(m_dir); }
    void opensAndCloses() {
        lumina::ui::MainWindow w(nullptr, lumina::test::windowOptions(m_dir));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.windowTitle(), QString("Lumina Studio"));
        QVERIFY(w.findChild<QAction*>("actionQuit"));
        QVERIFY(w.findChild<QAction*>("actionAbout"));
        QVERIFY(w.findChild<QAction*>("actionGenerate"));
        QCOMPARE(w.findChildren<QDockWidget*>().size(), 4);
        for (const char* dock : {"promptDock", "settingsDock", "galleryDock", "queueDock"})
            QVERIFY2(w.findChild<QDockWidget*>(dock), dock);
        QVERIFY(w.close());
        QVERIFY(!w.isVisible());
    }
    void statusBarShowsDeviceMemory() {
        lumina::ui::DemoEngineOptions options;
        options.deviceMemory = {"cuda:0", uint64_t{3} << 30, uint64_t{80} << 30};
        lumina::ui::MainWindow w(std::make_unique<lumina::ui::DemoEngine>(options),
                                 lumina::test::windowOptions(m_dir));
        auto* memory = w.findChild<QLabel*>("memoryLabel");
        QVERIFY(memory);
        QVERIFY2(memory->text().contains("cuda:0: 3.0 / 80 GB"), qPrintable(memory->text()));
        QVERIFY2(memory->text().contains("Memory: "), qPrintable(memory->text())); // the process's own
        lumina::ui::MainWindow cpuOnly(std::make_unique<lumina::ui::DemoEngine>(),
                                       lumina::test::windowOptions(m_dir, "cpu.sqlite"));
        QVERIFY(!cpuOnly.findChild<QLabel*>("memoryLabel")->text().contains("cuda"));
    }
    void progressTextFitsAtTheDefaultSize_data() {
        QTest::addColumn<QString>("language");
        for (const char* language : {"en", "zh_CN", "ja"})
            QTest::newRow(language) << QString(language);
    }
    void progressTextFitsAtTheDefaultSize() {
        // Qt clips a progress bar's centred text at both ends when the bar is too narrow ("tep 23 of 30 ·
        // about 8 s lef"): at the default window size the longest step text must fit, in every language.
        QFETCH(QString, language);
        QTranslator translator;
        if (language != "en") {
            QVERIFY(translator.load(QLocale(language), "lumina", "_", ":/i18n"));
            QCoreApplication::installTranslator(&translator);
        }
        lumina::ui::applyDarkTheme(*qApp);
        lumina::ui::MainWindow w(std::make_unique<lumina::ui::DemoEngine>(),
                                 lumina::test::windowOptions(m_dir, "fit.sqlite"));
        w.show(); // the default size
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto* bar = w.findChild<QProgressBar*>("runProgress");
        const QString longest =
            QCoreApplication::translate("lumina::ui::MainWindow", "Step %1 of %2 · about %3 left")
                .arg(188)
                .arg(200)
                .arg(QCoreApplication::translate("QObject", "%1 min %2 s").arg(12).arg(48));
        bar->setFormat(longest);
        const int needed = bar->fontMetrics().horizontalAdvance(longest);
        QVERIFY2(bar->width() >= needed + 8,
                 qPrintable(QString("bar %1 px wide for text %2 px wide at window %3x%4")
                                .arg(bar->width())
                                .arg(needed)
                                .arg(w.width())
                                .arg(w.height())));
        QCoreApplication::removeTranslator(&translator);
    }
    void studioVersion() {
        QProcess p;
        p.start(qEnvironmentVariable("LUMINA_STUDIO"), {"--version"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardOutput().startsWith("lumina-studio 0."));
    }
    void studioStartsAndQuits() {
        QProcess p;
        p.start(qEnvironmentVariable("LUMINA_STUDIO"),
                {"-platform", "offscreen", "--demo", "--quit-after-ms", "300"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
    }
    void studioScreenshot() {
        const QString file = m_dir.filePath("shot.png");
        QProcess p;
        p.start(qEnvironmentVariable("LUMINA_STUDIO"),
                {"-platform", "offscreen", "--demo", "--screenshot", file, "--screenshot-state", "gallery"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        QCOMPARE(QImage(file).size(), QSize(1600, 1000));
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
