// The main window opens with its menus and closes cleanly; the studio binary answers --version.
#include "ui/main_window.h"

#include <QMenuBar>
#include <QProcess>
#include <QtTest>

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void opensAndCloses() {
        lumina::ui::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.windowTitle(), QString("Lumina Studio"));
        QVERIFY(w.findChild<QAction*>("actionQuit"));
        QVERIFY(w.findChild<QAction*>("actionAbout"));
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
        p.start(qEnvironmentVariable("LUMINA_STUDIO"), {"-platform", "offscreen", "--quit-after-ms", "300"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
