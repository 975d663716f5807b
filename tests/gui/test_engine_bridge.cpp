// The engine bridge on its own (no window), with the demo engine behind it: model loading with byte
// progress, a failed load that leaves the bridge usable, every signal delivered on the UI thread and in
// order, token counts answered while a generation runs, cancel, and destruction mid-run. Also built and run
// under ThreadSanitizer (tests/gui/run_tsan.sh), where the worker, the token thread and the UI thread meet.
#include "gui/fake_engine.h"
#include "support/timing_bound.h"
#include "ui/engine_bridge.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <csignal>
#include <sys/resource.h>

using namespace lumina;

namespace {

pipeline::GenerationRequest smallRequest(int steps) {
    pipeline::GenerationRequest r;
    r.prompt = "a lighthouse at dusk";
    r.width = 256;
    r.height = 128;
    r.seed = 7;
    r.sampling.steps = steps;
    return r;
}

bool loadDemo(ui::EngineBridge& bridge) {
    QSignalSpy loaded(&bridge, &ui::EngineBridge::modelLoaded);
    bridge.loadModel("demo", {});
    return loaded.wait(5000);
}

} // namespace

class TestEngineBridge : public QObject {
    Q_OBJECT

private slots:
    void loadReportsProgressThenLoaded() {
        ui::EngineBridge bridge(test::makeFakeEngine(1));
        QSignalSpy progress(&bridge, &ui::EngineBridge::modelLoadProgress);
        QSignalSpy busy(&bridge, &ui::EngineBridge::busyChanged);
        QVERIFY(loadDemo(bridge));
        QVERIFY(progress.size() >= 2);
        for (int i = 1; i < progress.size(); ++i)
            QVERIFY(progress[i][0].toLongLong() >= progress[i - 1][0].toLongLong());
        QCOMPARE(progress.last()[0].toLongLong(), progress.last()[1].toLongLong());
        QVERIFY(bridge.modelName().contains("demo"));
        QCOMPARE(bridge.deviceName(), QString("cpu"));
        QCOMPARE(busy.size(), 2); // busy while loading, idle after
        QVERIFY(!bridge.busy());
    }

    void failedLoadIsReportedAndTheBridgeStaysUsable() {
        ui::EngineBridge bridge(test::makeFakeEngine(1));
        QSignalSpy failed(&bridge, &ui::EngineBridge::modelLoadFailed);
        bridge.loadModel("/nonexistent/lumina-model", {});
        QVERIFY(failed.wait(5000));
        QVERIFY(failed.first()[0].toString().contains("/nonexistent/lumina-model"));
        QVERIFY(!bridge.busy());
        QVERIFY(!bridge.hasModel());
        QVERIFY(loadDemo(bridge));
    }

    void failedReloadKeepsThePreviousModel() {
        // Load A, fail to load B: the engine still has A, so the bridge says so and generates with it.
        ui::EngineBridge bridge(test::makeFakeEngine(1));
        QVERIFY(loadDemo(bridge));
        const QString a = bridge.modelName();
        QVERIFY(!a.isEmpty());
        QSignalSpy failed(&bridge, &ui::EngineBridge::modelLoadFailed);
        QSignalSpy busy(&bridge, &ui::EngineBridge::busyChanged);
        QVERIFY(bridge.loadModel("/nonexistent/model-b", {}));
        QVERIFY(failed.wait(5000));
        QVERIFY(bridge.hasModel());
        QCOMPARE(bridge.modelName(), a);
        QCOMPARE(bridge.deviceName(), QString("cpu"));
        QCOMPARE(busy.size(), 2);
        QTemporaryDir out;
        QSignalSpy finished(&bridge, &ui::EngineBridge::finished);
        QVERIFY(bridge.generate(3, smallRequest(2), out.path()));
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.first()[0].value<ui::GenerationResult>().model, a);
    }

    void requestsWhileBusyAreRefusedWithAReason() {
        ui::EngineBridge bridge(test::makeFakeEngine(50));
        QVERIFY(loadDemo(bridge));
        QTemporaryDir out;
        QSignalSpy refused(&bridge, &ui::EngineBridge::refused);
        QSignalSpy cancelled(&bridge, &ui::EngineBridge::cancelled);
        QVERIFY(bridge.generate(1, smallRequest(100), out.path()));
        QVERIFY(!bridge.generate(2, smallRequest(1), out.path()));
        QVERIFY(!bridge.loadModel("demo", {}));
        QCOMPARE(refused.size(), 2);
        QVERIFY2(refused[0][0].toString().contains("busy") && refused[0][0].toString().contains("generation"),
                 qPrintable(refused[0][0].toString()));
        QVERIFY2(refused[1][0].toString().contains("model load"), qPrintable(refused[1][0].toString()));
        bridge.cancel(CancelMode::StopNow);
        QVERIFY(cancelled.wait(5000));
        QCOMPARE(cancelled.size(), 1);
        QCOMPARE(cancelled.first()[0].toLongLong(), qint64(1)); // the refused job never ran
        bridge.shutdown();
        QVERIFY(!bridge.generate(3, smallRequest(1), out.path()));
        QVERIFY(refused.last()[0].toString().contains("shut down"));
    }

    void signalsArriveOnTheUiThreadInOrder() {
        ui::EngineBridge bridge(test::makeFakeEngine(2));
        QVERIFY(loadDemo(bridge));
        QTemporaryDir out;
        QStringList events;
        bool allOnUiThread = true;
        auto note = [&](const QString& e) {
            allOnUiThread = allOnUiThread && QThread::currentThread() == qApp->thread();
            events << e;
        };
        connect(&bridge, &ui::EngineBridge::progress, this, [&](qint64 id, int step, int total, double) {
            note(QString("p%1/%2#%3").arg(step).arg(total).arg(id));
        });
        connect(&bridge, &ui::EngineBridge::preview, this, [&](qint64, const QImage& img) {
            note(QString("i%1x%2").arg(img.width()).arg(img.height()));
        });
        connect(&bridge, &ui::EngineBridge::finished, this,
                [&](const ui::GenerationResult& r) { note(QString("f#%1").arg(r.jobId)); });
        QSignalSpy finished(&bridge, &ui::EngineBridge::finished);
        bridge.generate(42, smallRequest(4), out.path());
        QVERIFY(bridge.busy());
        QVERIFY(finished.wait(10000));
        QVERIFY(allOnUiThread);
        QCOMPARE(events, QStringList({"p1/4#42", "i64x32", "p2/4#42", "i64x32", "p3/4#42", "i64x32",
                                      "p4/4#42", "i64x32", "f#42"}));
        const auto result = finished.first()[0].value<ui::GenerationResult>();
        QCOMPARE(result.seed, quint64(7));
        QCOMPARE(result.image.size(), QSize(256, 128));
        QVERIFY(QFileInfo::exists(result.imagePath));
        QVERIFY(!result.thumbnailPng.isEmpty());
        QVERIFY(!bridge.busy());
    }

    void fullDiskIsReportedAndLeavesNothingBehind() {
        // A file-size limit of 64 bytes stands in for a full disk: writing the PNG fails part-way (EFBIG).
        ui::EngineBridge bridge(test::makeFakeEngine(1));
        QVERIFY(loadDemo(bridge));
        QTemporaryDir out;
        QSignalSpy finished(&bridge, &ui::EngineBridge::finished);
        rlimit saved{};
        QCOMPARE(getrlimit(RLIMIT_FSIZE, &saved), 0);
        const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN); // fail the write instead of killing us
        rlimit small = saved;
        small.rlim_cur = 64;
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
        bridge.generate(3, smallRequest(2), out.path());
        const bool done = finished.wait(10000);
        setrlimit(RLIMIT_FSIZE, &saved);
        std::signal(SIGXFSZ, previousHandler);
        QVERIFY(done);
        const auto result = finished.first()[0].value<ui::GenerationResult>();
        QVERIFY2(result.imagePath.isEmpty(), qPrintable(result.imagePath));
        QVERIFY2(result.saveError.contains(out.path()), qPrintable(result.saveError));
        QVERIFY(!result.image.isNull()); // the picture itself is not lost: the window still shows it
        QCOMPARE(QDir(out.path()).entryList(QDir::Files | QDir::Hidden | QDir::System), QStringList());
    }

    void tokenCountIsAnsweredWhileGenerating() {
        // 40 steps of 100 ms: the run lasts about 4 s; the count must not wait for it.
        ui::EngineBridge bridge(test::makeFakeEngine(100));
        QVERIFY(loadDemo(bridge));
        QTemporaryDir out;
        QSignalSpy counted(&bridge, &ui::EngineBridge::tokenCount);
        QSignalSpy progress(&bridge, &ui::EngineBridge::progress);
        QSignalSpy cancelled(&bridge, &ui::EngineBridge::cancelled);
        bridge.generate(1, smallRequest(40), out.path());
        QVERIFY(progress.wait(5000)); // the worker is inside generate()
        QElapsedTimer timer;
        timer.start();
        bridge.requestTokenCount("three little words");
        QVERIFY(counted.wait(10000));
        LUMINA_VERIFY_WITHIN_MS(timer.elapsed(), 1500, "token count during a run");
        QVERIFY(bridge.busy());                 // answered during the run, not after it
        QCOMPARE(counted.last()[0].toInt(), 4); // <bos> + three words (the demo tokenizer)
        bridge.cancel(CancelMode::StopNow);
        QVERIFY(cancelled.wait(5000));
    }

    void tokenCountsDuringModelLoadAreSafe() {
        // The token thread asks the engine while the worker is loading (the engine's thread-safety contract;
        // under ThreadSanitizer this is where an unsynchronized "loaded" flag would be reported).
        test::FakeEngineOptions options;
        options.loadChunks = 200; // 1 ms each: a load of about 200 ms
        ui::EngineBridge bridge(test::makeFakeEngine(1, options));
        QSignalSpy loaded(&bridge, &ui::EngineBridge::modelLoaded);
        QSignalSpy counted(&bridge, &ui::EngineBridge::tokenCount);
        bridge.loadModel("demo", {});
        for (int i = 0; i < 20 && loaded.isEmpty(); ++i) {
            bridge.requestTokenCount(QString("word ").repeated(i + 1));
            QTest::qWait(10);
        }
        QVERIFY(loaded.wait(5000) || !loaded.isEmpty());
        bridge.requestTokenCount("two words");
        QTRY_VERIFY_WITH_TIMEOUT(!counted.isEmpty() && counted.last()[0].toInt() == 3, 3000);
    }

    void onlyTheNewestTokenRequestIsAnswered() {
        ui::EngineBridge bridge(test::makeFakeEngine(1));
        QVERIFY(loadDemo(bridge));
        QSignalSpy counted(&bridge, &ui::EngineBridge::tokenCount);
        QString prompt;
        for (int i = 1; i <= 40; ++i) {
            prompt += "w ";
            bridge.requestTokenCount(prompt);
        }
        // No event was processed while the 40 requests were made, so answers to older texts (if the counter
        // got to them) are dropped on arrival: exactly one count, the newest text's.
        QVERIFY(counted.wait(5000));
        QTest::qWait(100);
        QCOMPARE(counted.size(), 1);
        QCOMPARE(counted.first()[0].toInt(), 41);
    }

    void cancelStopsTheRun() {
        ui::EngineBridge bridge(test::makeFakeEngine(50));
        QVERIFY(loadDemo(bridge));
        QTemporaryDir out;
        QSignalSpy progress(&bridge, &ui::EngineBridge::progress);
        QSignalSpy cancelled(&bridge, &ui::EngineBridge::cancelled);
        QSignalSpy finished(&bridge, &ui::EngineBridge::finished);
        bridge.generate(5, smallRequest(100), out.path());
        QVERIFY(progress.wait(5000));
        QElapsedTimer timer;
        timer.start();
        bridge.cancel(CancelMode::StopNow);
        QVERIFY(cancelled.wait(5000));
        LUMINA_VERIFY_WITHIN_MS(timer.elapsed(), 1000, "cancel");
        QCOMPARE(cancelled.first()[0].toLongLong(), qint64(5));
        QVERIFY(finished.isEmpty());
        QVERIFY(!bridge.busy());
    }

    void destroyingTheBridgeMidRunIsClean() {
        QTemporaryDir out;
        QElapsedTimer timer;
        {
            ui::EngineBridge bridge(test::makeFakeEngine(50));
            QVERIFY(loadDemo(bridge));
            QSignalSpy progress(&bridge, &ui::EngineBridge::progress);
            bridge.generate(9, smallRequest(1000), out.path());
            bridge.requestTokenCount("still counting while it stops");
            QVERIFY(progress.wait(5000));
            timer.start();
        } // ~EngineBridge: cancel, wait for the worker and the token thread
        LUMINA_VERIFY_WITHIN_MS(timer.elapsed(), 2000, "destroying the bridge mid-run");
        QVERIFY(QDir(out.path()).entryList(QDir::Files).isEmpty()); // nothing half-written
    }
};

QTEST_GUILESS_MAIN(TestEngineBridge)
#include "test_engine_bridge.moc"
