// The main window opens with its menus and closes cleanly; the studio binary answers --version.
#include "gui/gui_test_support.h"
#include "ui/main_window.h"

#include <QDockWidget>
#include <QMenuBar>
#include <QProcess>
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
