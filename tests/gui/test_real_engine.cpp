// The window with the real engine behind it (LuminaEngine on a tiny random Lumina-Next pipeline made by
// tests/python/make_pipeline_fixtures.py): load the model with progress, type a prompt, Ctrl+Enter, previews
// arrive in order, the image lands in the gallery and on disk with its settings; a bad folder is reported.
#include "core/engine/lumina_engine.h"
#include "gui/gui_test_support.h"
#include "ui/canvas_widget.h"
#include "ui/gallery_model.h"
#include "ui/gallery_panel.h"
#include "ui/refine_dialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QLabel>
#include <QPushButton>
#include <QTimer>

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

    // Refine ×2 of a gallery item on the tiny model: the dialog shows the size, steps and estimate, the job
    // runs as image-to-image at twice the size, and the result lands in the gallery linked to its source with
    // its own settings (init image, strength).
    void refineAGalleryItem() {
        QTemporaryDir dir;
        ui::MainWindow w(std::make_unique<engine::LuminaEngine>(), test::windowOptions(dir));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy loaded(w.bridge(), &ui::EngineBridge::modelLoaded);
        w.loadModel(tinyModel());
        QVERIFY(loaded.wait(60000));
        test::setRun(w, 4, 320, 256);
        QSignalSpy finished(w.bridge(), &ui::EngineBridge::finished);
        w.promptPanel()->promptEdit()->setPlainText("a red boat on a lake");
        w.generate();
        QVERIFY(finished.wait(120000));
        auto* gallery = w.galleryPanel();
        QCOMPARE(gallery->model()->totalCount(), 1);
        gallery->selectFirst();
        const auto* source = gallery->model()->itemAt(0);
        QVERIFY(source);
        const int64_t sourceId = source->id;
        const uint64_t sourceSeed = source->seed;

        QString summary;
        bool okEnabled = false;
        QTimer::singleShot(0, [&] {
            auto* dialog = qobject_cast<ui::RefineDialog*>(QApplication::activeModalWidget());
            if (!dialog) return;
            dialog->strengthBox()->setValue(0.75);
            summary = dialog->summaryLabel()->text();
            okEnabled = dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled();
            dialog->accept();
        });
        QSignalSpy refined(w.bridge(), &ui::EngineBridge::finished);
        w.findChild<QAction*>("actionRefine2")->trigger();
        QVERIFY2(summary.contains("320 × 256 → 640 × 512"), qPrintable(summary));
        QVERIFY2(summary.contains("GB"), qPrintable(summary));
        QVERIFY(okEnabled);
        QVERIFY(refined.wait(120000));
        const auto result = refined.first()[0].value<ui::GenerationResult>();
        QCOMPARE(result.image.size(), QSize(640, 512));
        QTRY_COMPARE(gallery->model()->totalCount(), 2);
        const auto made = w.store()->item(sourceId + 1); // the next item the gallery stored
        QVERIFY(made.has_value());
        QCOMPARE(made->sourceId, std::optional<int64_t>(sourceId));
        QCOMPARE(made->width, 640);
        QCOMPARE(made->height, 512);
        QCOMPARE(made->seed, sourceSeed);
        QCOMPARE(made->settings["strength"].get<double>(), 0.75);
        QCOMPARE(made->settings["init_gallery_item"].get<int64_t>(), sourceId);
        QVERIFY(QFileInfo::exists(QString::fromStdString(made->settings["init_image"].get<std::string>())));
        // The view's rows arrive a moment after the model's reset.
        auto tooltipOfResult = [&] {
            for (int row = 0; row < gallery->model()->rowCount(); ++row)
                if (const auto* item = gallery->model()->itemAt(row); item && item->id == made->id)
                    return gallery->model()->data(gallery->model()->index(row), Qt::ToolTipRole).toString();
            return QString();
        };
        QTRY_VERIFY_WITH_TIMEOUT(tooltipOfResult().contains(QString("Refined from item %1").arg(sourceId)),
                                 5000);
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
