// The first-run screen and the Model Manager against the mock Hub (tests/python/mock_hub.py, throttled so a
// download lasts a few seconds): download, cancel, resume, verify, delete, set as default; screenshots of
// both in English and Chinese (kept in LUMINA_SCREENSHOT_DIR when set).
#include "gui/gui_test_support.h"
#include "ui/download_task.h"
#include "ui/first_run.h"
#include "ui/model_manager.h"

#include <QCompleter>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProcess>
#include <QProgressBar>
#include <QSet>
#include <QTableWidget>
#include <QTranslator>

using namespace lumina;

class TestModelManager : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QProcess m_mock;
    QString m_cache;

    void screenshot(QWidget& w, const QString& name) {
        w.resize(900, 420);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QImage shot = w.grab().toImage();
        QVERIFY(!shot.isNull());
        QSet<QRgb> colours; // text, buttons and table: a rendered dialog, not a blank surface
        for (int y = 0; y < shot.height(); y += 7)
            for (int x = 0; x < shot.width(); x += 7)
                colours.insert(shot.pixel(x, y));
        QVERIFY2(colours.size() > 8, qPrintable(QString("only %1 colours").arg(colours.size())));
        const QString outDir = qEnvironmentVariable("LUMINA_SCREENSHOT_DIR", m_dir.path());
        QVERIFY(shot.save(QDir(outDir).filePath(name)));
    }

    static int rowOf(QTableWidget* table, const QString& repo) {
        for (int r = 0; r < table->rowCount(); ++r)
            if (table->item(r, 0)->text() == repo) return r;
        return -1;
    }

private slots:
    void initTestCase() {
        test::isolateSettings(m_dir);
        m_cache = m_dir.filePath("hub-cache");
        const QString python = qEnvironmentVariable("LUMINA_PYTHON", "python3");
        const QString script = qEnvironmentVariable("LUMINA_SOURCE_DIR") + "/tests/python/mock_hub.py";
        // 8 MB weights in 8 ranged parts at 300 KB/s each: a few seconds per download.
        m_mock.start(python, {script, "--big-repo", "test/big-lumina=8", "--big-repo",
                              QString::fromLatin1(ui::kDefaultModelRepo) + "=1", "--faults",
                              R"({"rate": {"bytes_per_second": 300000}})"});
        QVERIFY(m_mock.waitForReadyRead(30000));
        const auto info = QJsonDocument::fromJson(m_mock.readLine()).object();
        QVERIFY(info.contains("hub"));
        qputenv("HF_ENDPOINT", info["hub"].toString().toUtf8());
        qputenv("HF_HUB_CACHE", m_cache.toUtf8());
        qunsetenv("HF_TOKEN");
        qunsetenv("HF_HUB_OFFLINE");
        qputenv("HF_TOKEN_PATH", m_dir.filePath("no-token").toUtf8());
        qputenv("LUMINA_HUB_MIN_PART_KB", "1024");
        qputenv("NO_PROXY", "127.0.0.1");
        qputenv("no_proxy", "127.0.0.1");
    }

    void cleanupTestCase() {
        m_mock.kill();
        m_mock.waitForFinished();
    }

    void firstRunDownloadsTheDefaultModel() {
        ui::DownloadTask task;
        ui::FirstRunDialog dialog(&task, m_cache);
        QVERIFY(dialog.downloadButton()->text().contains("14.2 GB"));
        QVERIFY(dialog.findChildren<QLabel*>().size() >= 2);
        bool mentionsFolder = false;
        for (auto* l : dialog.findChildren<QLabel*>())
            mentionsFolder = mentionsFolder || l->text().contains(m_cache);
        QVERIFY(mentionsFolder);
        screenshot(dialog, "first_run_en.png");
        QSignalSpy ready(&dialog, &ui::FirstRunDialog::modelReady);
        QTest::mouseClick(dialog.downloadButton(), Qt::LeftButton);
        QVERIFY(task.running());
        QVERIFY(dialog.cancelButton()->isEnabled());
        QVERIFY(ready.wait(60000));
        QVERIFY(QFileInfo(ready.first().first().toString() + "/model_index.json").exists());
        QVERIFY(!ui::DownloadTask::pending().valid());
    }

    void managerDownloadCancelResumeVerifyDelete() {
        ui::DownloadTask task;
        ui::ModelManagerDialog dialog(&task, m_cache);
        QSignalSpy finished(&task, &ui::DownloadTask::finished);
        // Typing "image" suggests the Lumina-Image 2.0 repository.
        auto* completer = dialog.repoEdit()->completer();
        QVERIFY(completer);
        completer->setCompletionPrefix("image");
        QCOMPARE(completer->currentCompletion(), QString("Alpha-VLLM/Lumina-Image-2.0"));
        dialog.repoEdit()->setText("test/big-lumina");
        dialog.downloadRepo();
        QVERIFY(task.running());
        QTRY_VERIFY_WITH_TIMEOUT(dialog.progressBar()->value() > 0, 30000);
        QCOMPARE(ui::DownloadTask::pending().repoId, QString("test/big-lumina"));
        dialog.cancelDownload();
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.last().at(1).toBool(), true); // cancelled
        int row = rowOf(dialog.table(), "test/big-lumina");
        QVERIFY(row >= 0);
        QCOMPARE(dialog.table()->item(row, 4)->text(), QString("Incomplete"));
        QCOMPARE(ui::DownloadTask::pending().repoId,
                 QString("test/big-lumina")); // offered again on next start
        screenshot(dialog, "model_manager_en.png");

        dialog.table()->selectRow(row);
        dialog.resumeSelected();
        QVERIFY(task.running());
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.last().at(0).toBool(), true);
        row = rowOf(dialog.table(), "test/big-lumina");
        QCOMPARE(dialog.table()->item(row, 4)->text(), QString("Complete"));

        QSignalSpy verified(&dialog, &ui::ModelManagerDialog::verified);
        dialog.table()->selectRow(row);
        dialog.verifySelected();
        QVERIFY(verified.wait(30000));
        QCOMPARE(verified.first().at(1).toStringList(), QStringList());

        QSignalSpy chosen(&dialog, &ui::ModelManagerDialog::modelChosen);
        dialog.setSelectedAsDefault();
        QCOMPARE(chosen.count(), 1);

        dialog.table()->selectRow(row);
        dialog.deleteSelected(false);
        QCOMPARE(rowOf(dialog.table(), "test/big-lumina"), -1);
        QVERIFY(!QDir(m_cache + "/models--test--big-lumina").exists());
    }

    void chineseScreenshots() {
        QTranslator translator;
        QVERIFY(translator.load(QLocale("zh_CN"), "lumina", "_", ":/i18n"));
        QCoreApplication::installTranslator(&translator);
        ui::DownloadTask task;
        ui::ModelManagerDialog manager(&task, m_cache);
        QCOMPARE(manager.windowTitle(), QString::fromUtf8("模型管理器"));
        screenshot(manager, "model_manager_zh_CN.png");
        ui::FirstRunDialog first(&task, m_cache);
        screenshot(first, "first_run_zh_CN.png");
        QCoreApplication::removeTranslator(&translator);
    }
};

QTEST_MAIN(TestModelManager)
#include "test_model_manager.moc"
