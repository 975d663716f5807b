// --version of lumina-cli (and the version facts it reports) as users and scripts see them.
#include "core/util/version.h"

#include <QProcess>
#include <QtTest>

class TestVersion : public QObject {
    Q_OBJECT
private slots:
    void reportNamesTorchAndDevices() {
        const auto report = QString::fromStdString(lumina::versionReport("x"));
        QVERIFY(report.startsWith("x " + QString::fromStdString(lumina::appVersion())));
        QVERIFY(report.contains("LibTorch " + QString::fromStdString(lumina::torchVersion())));
        QVERIFY(report.contains(QRegularExpression("CUDA available: (yes|no)")));
        QVERIFY(report.contains(QRegularExpression("MPS available: (yes|no)")));
    }
    void cliPrintsVersion() {
        QProcess p;
        p.start(qEnvironmentVariable("LUMINA_CLI"), {"--version"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const QString out = p.readAllStandardOutput();
        QVERIFY2(out.startsWith("lumina-cli 0."), qPrintable(out));
        QVERIFY(out.contains("LibTorch 2."));
    }
    void cliRejectsUnknownCommand() {
        QProcess p;
        p.start(qEnvironmentVariable("LUMINA_CLI"), {"no-such-command"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("unknown command"));
    }
};

QTEST_GUILESS_MAIN(TestVersion)
#include "test_version.moc"
