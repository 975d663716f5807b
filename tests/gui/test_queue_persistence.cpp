// The job queue lives in the gallery database: it survives a restart (a new window on the same file), a job
// left Running by a crash goes back to the queue (also after a real kill -9 of a studio process mid-run, with
// nothing committed lost), and the queue panel removes and reorders jobs.
#include "gui/fake_engine.h"
#include "gui/gui_test_support.h"
#include "ui/gallery_model.h"
#include "ui/gallery_panel.h"
#include "ui/queue_panel.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QListWidget>
#include <QProcess>
#include <QTextStream>
#include <QToolButton>
#include <algorithm>

using namespace lumina;

namespace {

constexpr const char* kChildDirVariable = "LUMINA_QUEUE_CHILD_DIR";
const std::vector<std::string> kChildPrompts{"one", "two", "three", "four", "five"};

ui::MainWindowOptions childWindowOptions(const QString& dir) {
    ui::MainWindowOptions o;
    o.databaseFile = QDir(dir).filePath("gallery.sqlite").toStdString();
    o.outputFolder = QDir(dir).filePath("images");
    o.persistLayout = false;
    return o;
}

// The process the kill -9 test kills: a window on the parent's folder, five queued jobs of 6 steps x 60 ms,
// reporting each finished job and each step on stdout.
int runQueueChild(int argc, char** argv) {
    QApplication app(argc, argv);
    const QString dir = qEnvironmentVariable(kChildDirVariable);
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, QDir(dir).filePath("settings"));
    ui::MainWindow w(test::makeFakeEngine(60), childWindowOptions(dir));
    test::setRun(w, 6);
    QTextStream out(stdout);
    QObject::connect(w.bridge(), &ui::EngineBridge::finished, &w,
                     [&](const ui::GenerationResult& r) { out << "finished " << r.prompt << Qt::endl; });
    QObject::connect(w.bridge(), &ui::EngineBridge::progress, &w,
                     [&](qint64, int step, int, double) { out << "step " << step << Qt::endl; });
    for (const auto& prompt : kChildPrompts) {
        w.promptPanel()->setPrompt(QString::fromStdString(prompt));
        w.generate();
    }
    w.loadModel("demo"); // the queue starts once the model is loaded
    return app.exec();
}

std::vector<std::string> queuedPrompts(gallery::GalleryStore& store) {
    std::vector<std::string> out;
    for (const auto& job : store.jobs())
        out.push_back(pipeline::requestFromJson(job.request).prompt);
    return out;
}
} // namespace

class TestQueuePersistence : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { test::isolateSettings(m_dir); }

    void queueSurvivesRestart() {
        QTemporaryDir dir;
        const auto options = test::windowOptions(dir);
        {
            // No model loaded: the jobs wait in the queue.
            ui::MainWindow w(test::makeFakeEngine(1), options);
            test::setRun(w, 2);
            for (const char* prompt : {"first", "second", "third"}) {
                w.promptPanel()->setPrompt(prompt);
                w.generate();
            }
            QCOMPARE(w.queuePanel()->list()->count(), 3);
            QVERIFY(w.close());
        }
        ui::MainWindow w(test::makeFakeEngine(1), options);
        QListWidget* list = w.queuePanel()->list();
        QCOMPARE(list->count(), 3);
        QCOMPARE(queuedPrompts(*w.store()), (std::vector<std::string>{"first", "second", "third"}));
        // Reorder: "third" to the front, then remove "second".
        list->setCurrentRow(2);
        w.queuePanel()->moveSelected(-1);
        w.queuePanel()->moveSelected(-1);
        QCOMPARE(list->currentRow(), 0);
        QCOMPARE(queuedPrompts(*w.store()), (std::vector<std::string>{"third", "first", "second"}));
        list->setCurrentRow(2);
        QTest::mouseClick(w.findChild<QToolButton*>("removeJobButton"), Qt::LeftButton);
        QCOMPARE(queuedPrompts(*w.store()), (std::vector<std::string>{"third", "first"}));
        QCOMPARE(list->count(), 2);
        // Running the queue takes them in the new order.
        QVERIFY(test::loadDemoModel(w));
        QSignalSpy finished(w.bridge(), &ui::EngineBridge::finished);
        w.runQueue();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 10000);
        QCOMPARE(finished[0][0].value<ui::GenerationResult>().prompt, QString("third"));
        QCOMPARE(finished[1][0].value<ui::GenerationResult>().prompt, QString("first"));
        QCOMPARE(list->count(), 0);
        QTRY_VERIFY(!w.queueRunning());
    }

    void abandonedRunningJobIsRequeued() {
        QTemporaryDir dir;
        const auto options = test::windowOptions(dir);
        {
            // A previous session crashed while running the first job.
            gallery::GalleryStore store(options.databaseFile);
            pipeline::GenerationRequest r;
            r.width = r.height = 256;
            r.sampling.steps = 2;
            r.seed = 7;
            r.prompt = "was running";
            store.enqueue(pipeline::toJson(r));
            r.prompt = "was waiting";
            store.enqueue(pipeline::toJson(r));
            QVERIFY(store.takeNextJob().has_value());
            QVERIFY(store.jobs().front().state == gallery::JobState::Running);
        }
        ui::MainWindow w(test::makeFakeEngine(1), options);
        const auto jobs = w.store()->jobs();
        QCOMPARE(jobs.size(), std::size_t(2));
        QVERIFY(jobs[0].state == gallery::JobState::Queued);
        QCOMPARE(queuedPrompts(*w.store()), (std::vector<std::string>{"was running", "was waiting"}));
        QCOMPARE(w.queuePanel()->list()->count(), 2);
        QVERIFY(test::loadDemoModel(w));
        QSignalSpy finished(w.bridge(), &ui::EngineBridge::finished);
        w.runQueue();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 10000);
        QCOMPARE(finished[0][0].value<ui::GenerationResult>().seed, 7u);
        QCOMPARE(w.galleryPanel()->model()->totalCount(), 2);
        QVERIFY(w.store()->jobs().empty());
    }

    void killNineMidRunLosesNothingCommitted() {
        QTemporaryDir dir;
        QProcess child;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(kChildDirVariable, dir.path());
        child.setProcessEnvironment(env);
        child.setProcessChannelMode(QProcess::SeparateChannels);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForStarted());
        // Kill once a job has finished (committed before it is reported) and the next one is mid-run.
        QByteArray out;
        QElapsedTimer timer;
        timer.start();
        auto nextJobRunning = [&] {
            const int done = out.indexOf("finished ");
            return done >= 0 && out.indexOf("step 2\n", done) >= 0;
        };
        while (!nextJobRunning() && timer.elapsed() < 60000 && child.state() == QProcess::Running) {
            child.waitForReadyRead(100);
            out += child.readAllStandardOutput();
        }
        QVERIFY2(nextJobRunning(), out.constData());
        child.kill(); // SIGKILL: no clean-up of any kind
        QVERIFY(child.waitForFinished(10000));
        out += child.readAllStandardOutput();
        std::vector<std::string> reported;
        for (const QByteArray& line : out.split('\n'))
            if (line.startsWith("finished ")) reported.push_back(line.mid(9).toStdString());

        // How far the child got depends on the machine's speed; what must hold is: every job is either in the
        // gallery (a prefix of the queue order, at least everything reported) or still queued (the rest, in
        // order, the interrupted one first and Queued again), never both, never lost.
        ui::MainWindow w(test::makeFakeEngine(1), childWindowOptions(dir.path()));
        ui::GalleryModel* model = w.galleryPanel()->model();
        while (model->canFetchMore({}))
            model->fetchMore({});
        std::vector<std::string> inGallery;
        for (int row = model->rowCount() - 1; row >= 0; --row) // newest first: reverse into run order
            inGallery.push_back(
                model->index(row).data(ui::GalleryModel::PromptRole).toString().toStdString());
        const auto queued = queuedPrompts(*w.store());
        QVERIFY(inGallery.size() >= reported.size());
        QVERIFY(std::equal(reported.begin(), reported.end(), inGallery.begin()));
        QVERIFY(!queued.empty()); // killed mid-run, not after the last job
        std::vector<std::string> all = inGallery;
        all.insert(all.end(), queued.begin(), queued.end());
        QCOMPARE(all, kChildPrompts);
        QVERIFY(w.store()->jobs().front().state == gallery::JobState::Queued);
        // Every image under its final name is complete (temporary files may be left by the kill, never a
        // truncated picture).
        const auto pngs = QDir(dir.filePath("images")).entryInfoList({"*.png"}, QDir::Files);
        QCOMPARE(std::size_t(pngs.size()), inGallery.size());
        for (const auto& png : pngs)
            QVERIFY2(!QImage(png.filePath()).isNull(), qPrintable(png.fileName()));
    }

    void damagedDatabaseIsReportedAndReplaced() {
        QTemporaryDir dir;
        const auto options = test::windowOptions(dir);
        {
            QFile junk(QString::fromStdString(options.databaseFile.string()));
            QVERIFY(junk.open(QIODevice::WriteOnly));
            junk.write(QByteArray(8192, 'x'));
        }
        ui::MainWindow w(test::makeFakeEngine(1), options);
        QTRY_VERIFY(!w.bannerText().isEmpty());
        QVERIFY2(w.bannerText().contains("damaged"), qPrintable(w.bannerText()));
        QCOMPARE(w.galleryPanel()->model()->totalCount(), 0);
        w.promptPanel()->setPrompt("still works");
        w.generate();
        QCOMPARE(w.store()->jobs().size(), std::size_t(1));
    }
};

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsSet(kChildDirVariable)) return runQueueChild(argc, argv);
    QApplication app(argc, argv);
    TestQueuePersistence test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "test_queue_persistence.moc"
