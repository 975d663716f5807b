// The window with the real engine behind it (LuminaEngine on a tiny random Lumina-Next pipeline made by
// tests/python/make_pipeline_fixtures.py): load the model with progress, type a prompt, Ctrl+Enter, previews
// arrive in order, the image lands in the gallery and on disk with its settings; a bad folder is reported.
#include "core/engine/lumina_engine.h"
#include "gui/gui_test_support.h"
#include "ui/canvas_widget.h"
#include "ui/gallery_model.h"
#include "ui/gallery_panel.h"

#include <QFileInfo>

using namespace lumina;

namespace {
QString tinyModel() {
    return qEnvironmentVariable("LUMINA_FIXTURES_DIR") + "/pipeline/pipeline";
}
} // namespace

class TestRealEngine : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { test::isolateSettings(m_dir); }

    void generateWithTheTinyModel() {
        QTemporaryDir dir;
        ui::MainWindow w(std::make_unique<engine::LuminaEngine>(), test::windowOptions(dir));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy loaded(w.bridge(), &ui::EngineBridge::modelLoaded);
        QSignalSpy loadProgress(w.bridge(), &ui::EngineBridge::modelLoadProgress);
        w.loadModel(tinyModel());
        QVERIFY(loaded.wait(60000));
        QVERIFY(!loadProgress.isEmpty());

        test::setRun(w, 3, 256, 256);
        QSignalSpy progress(w.bridge(), &ui::EngineBridge::progress);
        QSignalSpy previews(w.bridge(), &ui::EngineBridge::preview);
        QSignalSpy finished(w.bridge(), &ui::EngineBridge::finished);
        QSignalSpy tokens(w.bridge(), &ui::EngineBridge::tokenCount);
        QPlainTextEdit* edit = w.promptPanel()->promptEdit();
        edit->setFocus();
        QTest::keyClicks(edit, "a lighthouse by the sea, ");
        edit->insertPlainText(QString::fromUtf8("灯台")); // what an input method commits
        // The live token count comes from the real tokenizer: <bos> + several pieces.
        QTRY_VERIFY_WITH_TIMEOUT(!tokens.isEmpty() && tokens.last()[0].toInt() > 5, 10000);
        QTest::keyClick(edit, Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(finished.wait(120000));
        QCOMPARE(progress.size(), 3);
        for (int i = 0; i < progress.size(); ++i)
            QCOMPARE(progress[i][1].toInt(), i + 1);
        QCOMPARE(previews.size(), 3);
        QVERIFY(!previews.last()[1].value<QImage>().isNull());
        const auto result = finished.first()[0].value<ui::GenerationResult>();
        QCOMPARE(result.image.size(), QSize(256, 256));
        QVERIFY(QFileInfo::exists(result.imagePath));
        QVERIFY(QImage(result.imagePath).text("lumina:settings").contains("灯台"));
        QCOMPARE(w.canvas()->image().size(), QSize(256, 256));
        QCOMPARE(w.galleryPanel()->model()->totalCount(), 1);
    }

    void badModelFolderIsReportedAndTheAppKeepsRunning() {
        QTemporaryDir dir;
        ui::MainWindow w(std::make_unique<engine::LuminaEngine>(), test::windowOptions(dir));
        QSignalSpy failed(w.bridge(), &ui::EngineBridge::modelLoadFailed);
        w.loadModel(dir.filePath("not-a-model"));
        QVERIFY(failed.wait(30000));
        QVERIFY(failed.first()[0].toString().contains("not-a-model"));
        QVERIFY(w.isEnabled());
    }
};

QTEST_MAIN(TestRealEngine)
#include "test_real_engine.moc"
