// The main window opens with its menus and closes cleanly; the studio binary answers --version.
#include "gui/gui_test_support.h"
#include "ui/main_window.h"

#include "ui/demo_engine.h"
#include "ui/theme.h"

#include <QDockWidget>
#include <QDropEvent>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QMenuBar>
#include <QMimeData>
#include <QProcess>
#include <QProgressBar>
#include <QTranslator>
#include <QUrl>
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
    // File → Open Image / a dropped picture: the settings another tool embedded come back into the prompt and
    // the settings, the banner lists what had no counterpart; a picture without settings or a broken file
    // says so.
    void openImageRestoresSettings() {
        lumina::ui::MainWindow w(nullptr, lumina::test::windowOptions(m_dir, "open-image.sqlite"));
        QVERIFY(w.findChild<QAction*>("actionOpenImage"));
        QImage picture(16, 16, QImage::Format_RGB888);
        picture.fill(Qt::darkCyan);
        QImage a1111 = picture;
        a1111.setText("parameters",
                      QString::fromUtf8("a lighthouse at dusk, 灯台\nNegative prompt: fog\nSteps: 12, "
                                        "Sampler: DPM++ 2M, CFG scale: 5.5, Seed: 4242, Size: 768x512"));
        const QString a1111File = m_dir.filePath("a1111.png"), plainFile = m_dir.filePath("plain.png");
        QVERIFY(a1111.save(a1111File));
        QVERIFY(picture.save(plainFile));

        w.openImage(a1111File);
        QCOMPARE(w.promptPanel()->prompt(), QString::fromUtf8("a lighthouse at dusk, 灯台"));
        QCOMPARE(w.promptPanel()->negativePrompt(), QString("fog"));
        const auto r = w.settingsPanel()->request();
        QCOMPARE(r.sampling.steps, 12);
        QCOMPARE(r.sampling.guidanceScale, 5.5);
        QCOMPARE(r.width, 768);
        QCOMPARE(r.height, 512);
        QCOMPARE(w.settingsPanel()->takeSeeds(1).front(), uint64_t{4242});
        QVERIFY2(w.bannerText().contains("AUTOMATIC1111") && w.bannerText().contains("DPM++ 2M"),
                 qPrintable(w.bannerText()));

        w.openImage(plainFile);
        QVERIFY2(w.bannerText().contains("no generation settings"), qPrintable(w.bannerText()));
        QCOMPARE(w.promptPanel()->prompt(),
                 QString::fromUtf8("a lighthouse at dusk, 灯台")); // left as it was

        const QString broken = m_dir.filePath("broken.png");
        QFile f(broken);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("\x89PNG\r\n\x1a\n and then nothing sensible");
        f.close();
        w.openImage(broken);
        QVERIFY2(w.bannerText().contains("broken.png"), qPrintable(w.bannerText()));

        // Dropping the picture on the window does the same.
        w.settingsPanel()->setSize(1024, 1024);
        auto* mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(a1111File)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&w, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&w, &drop);
        QVERIFY2(w.bannerText().contains("a1111.png"), qPrintable(w.bannerText()));
        QCOMPARE(w.settingsPanel()->request().width, 768);
        delete mime;
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
