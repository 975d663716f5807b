// The window with the real engine behind it (LuminaEngine on a tiny random Lumina-Next pipeline made by
// tests/python/make_pipeline_fixtures.py): load the model with progress, type a prompt, Ctrl+Enter, previews
// arrive in order, the image lands in the gallery and on disk with its settings; Refine and Export; a bad
// folder is reported; Lumina-Image 2.0 from an all-in-one .safetensors file with a LoRA from the settings
// panel's list, against diffusers. Mutations tried: Export reading the saved 8-bit picture instead of
// decoding the kept latents (exportDecodesTheKeptLatents: "16-bit PNG differs by 128 levels"); the settings
// panel leaving its LoRA list out of the request (lumina2FromASingleFileWithALora: no LoRA sent); the LoRA
// list sending scale 1 instead of the row's (lumina2FromASingleFileWithALora: latents rel L2 0.055).
#include "core/engine/lumina_engine.h"
#include "core/image/image_export.h"
#include "core/io/safetensors_file.h"
#include "core/pipeline/request.h"
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
#include <QProcess>
#include <QPushButton>
#include <QTimer>
#include <fstream>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

using namespace lumina;

namespace {
QString tinyModel() {
    return qEnvironmentVariable("LUMINA_FIXTURES_DIR") + "/pipeline/pipeline";
}

// Loads the tiny model into `w` and runs one generation of `prompt` at width x height; false when either
// timed out. The finished result is the first entry of `finished`.
bool loadAndGenerate(ui::MainWindow& w, QSignalSpy& finished, const QString& prompt, int steps, int width,
                     int height) {
    QSignalSpy loaded(w.bridge(), &ui::EngineBridge::modelLoaded);
    w.loadModel(tinyModel());
    if (!loaded.wait(60000)) return false;
    test::setRun(w, steps, width, height);
    w.promptPanel()->promptEdit()->setPlainText(prompt);
    w.generate();
    return finished.wait(120000);
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

    // An artist's Lumina-Image 2.0 download: one all-in-one .safetensors file (ComfyUI's layout) opened as
    // the model, a LoRA added to the list at 0.7; the run matches diffusers' Lumina2Pipeline with
    // load_lora_weights + fuse_lora(0.7) on the same weights (tests/python/
    // make_lumina2_single_file_pipeline_fixtures.py, case lora_0_7) and the gallery records family and LoRA.
    void lumina2FromASingleFileWithALora() {
        const QString fixtures = qEnvironmentVariable("LUMINA_FIXTURES_DIR") + "/lumina2_single_files";
        nlohmann::json request;
        std::ifstream cases((fixtures + "/cases.json").toStdString());
        for (const auto& c : nlohmann::json::parse(cases))
            if (c["name"] == "lora_0_7") request = c["request"];
        QVERIFY(!request.is_null());
        const auto wanted = pipeline::requestFromJson(request);

        QTemporaryDir dir;
        auto options = test::windowOptions(dir);
        options.modelToLoad = fixtures + "/all_in_one.safetensors"; // lumina-studio --model FILE.safetensors
        ui::MainWindow w(std::make_unique<engine::LuminaEngine>(), options);
        QSignalSpy loaded(w.bridge(), &ui::EngineBridge::modelLoaded);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.findChild<QAction*>("actionOpenModelFile")->isEnabled());
        QVERIFY(loaded.wait(60000));
        QTRY_VERIFY(w.settingsPanel()->family() == ModelFamily::Lumina2);

        w.promptPanel()->setPrompt(QString::fromStdString(wanted.prompt));
        w.promptPanel()->setNegativePrompt(QString::fromStdString(wanted.negativePrompt));
        w.settingsPanel()->applyRequest(wanted);
        const auto sent = w.settingsPanel()->request();
        QCOMPARE(sent.loras.size(), std::size_t{1});
        QSignalSpy finished(w.bridge(), &ui::EngineBridge::finished);
        w.generate();
        QVERIFY(finished.wait(120000));
        const auto result = finished.first()[0].value<ui::GenerationResult>();
        QCOMPARE(result.model, QString("all_in_one"));
        QCOMPARE(result.latentShape, (std::vector<int64_t>{1, 16, wanted.height / 8, wanted.width / 8}));
        const auto ours =
            torch::from_blob(const_cast<float*>(result.latents.data()), result.latentShape, torch::kFloat);
        const auto reference =
            io::SafetensorsFile::open((fixtures + "/lora_0_7.safetensors").toStdString())->tensor("latents");
        const double relL2 = ((ours - reference).norm() / reference.norm()).item<double>();
        QVERIFY2(relL2 <= 1e-4, qPrintable(QString("latents rel L2 %1").arg(relL2)));
        const auto settings = nlohmann::json::parse(result.settingsJson.toStdString());
        QCOMPARE(settings["model_family"].get<std::string>(), std::string("lumina2"));
        QCOMPARE(settings["loras"].size(), std::size_t{1});
    }

    // Refine ×2 of a gallery item on the tiny model: the dialog shows the size, steps and estimate, the job
    // runs as image-to-image at twice the size, and the result lands in the gallery linked to its source with
    // its own settings (init image, strength).
    void refineAGalleryItem() {
        QTemporaryDir dir;
        ui::MainWindow w(std::make_unique<engine::LuminaEngine>(), test::windowOptions(dir));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy finished(w.bridge(), &ui::EngineBridge::finished);
        QVERIFY(loadAndGenerate(w, finished, "a red boat on a lake", 4, 320, 256));
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

    // Export from the gallery decodes the item's kept latents again: the 16-bit PNG and the EXR equal what
    // `lumina-cli generate --settings` writes for the same settings; an item without kept latents exports its
    // saved picture and says so.
    void exportDecodesTheKeptLatents() {
        QTemporaryDir dir;
        ui::MainWindow w(std::make_unique<engine::LuminaEngine>(), test::windowOptions(dir));
        QSignalSpy finished(w.bridge(), &ui::EngineBridge::finished);
        QVERIFY(loadAndGenerate(w, finished, "a green hill under a pale sky", 3, 256, 256));
        const auto item = w.store()->item(1);
        QVERIFY(item.has_value());
        QVERIFY(QFileInfo::exists(QString::fromStdString(w.store()->latentsFile(item->id).string())));

        QSignalSpy exported(w.bridge(), &ui::EngineBridge::exported);
        const QString png = dir.filePath("export.png"), exr = dir.filePath("export.exr");
        w.exportItem(*item, png, 16);
        QVERIFY(exported.wait(60000));
        QCOMPARE(exported.last()[1].toString(), QString());
        QVERIFY(exported.last()[2].toBool());
        w.exportItem(*item, exr);
        QVERIFY(exported.wait(60000));
        QCOMPARE(exported.last()[1].toString(), QString());

        // The same settings through the command line.
        const QString settingsFile = dir.filePath("settings.json");
        QFile f(settingsFile);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray::fromStdString(item->settings.dump()));
        f.close();
        const QString refPng = dir.filePath("cli.png"), refExr = dir.filePath("cli.exr");
        for (const QString& out : {refPng, refExr}) {
            QProcess cli;
            cli.start(qEnvironmentVariable("LUMINA_CLI"),
                      {"generate", "--model", tinyModel(), "--settings", settingsFile, "--device", "cpu",
                       "--quiet", "--bit-depth", "16", "--output", out});
            QVERIFY(cli.waitForFinished(120000));
            QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        }
        const QImage ours(png), theirs(refPng);
        QCOMPARE(ours.format(), QImage::Format_RGBX64);
        QCOMPARE(ours.size(), theirs.size());
        int worst = 0;
        for (int y = 0; y < ours.height(); ++y)
            for (int x = 0; x < ours.width(); ++x) {
                const QRgba64 a = ours.pixelColor(x, y).rgba64(), b = theirs.pixelColor(x, y).rgba64();
                worst = std::max({worst, std::abs(int(a.red()) - int(b.red())),
                                  std::abs(int(a.green()) - int(b.green())),
                                  std::abs(int(a.blue()) - int(b.blue()))});
            }
        QVERIFY2(worst <= 1, qPrintable(QString("16-bit PNG differs by %1 levels").arg(worst)));
        const auto exrOurs = image::readImage(exr.toStdString()),
                   exrTheirs = image::readImage(refExr.toStdString());
        QCOMPARE(exrOurs.pixels.size(), exrTheirs.pixels.size());
        float exrWorst = 0;
        for (std::size_t i = 0; i < exrOurs.pixels.size(); ++i)
            exrWorst = std::max(exrWorst, std::abs(exrOurs.pixels[i] - exrTheirs.pixels[i]));
        QVERIFY2(exrWorst <= 1e-3f, qPrintable(QString("EXR differs by %1").arg(exrWorst)));

        // Without kept latents (an item from before they were kept): the saved picture, and the banner says
        // why.
        QVERIFY(QFile::remove(QString::fromStdString(w.store()->latentsFile(item->id).string())));
        const QString fallback = dir.filePath("fallback.tif");
        w.exportItem(*item, fallback);
        QVERIFY(exported.wait(60000));
        QCOMPARE(exported.last()[1].toString(), QString());
        QVERIFY(!exported.last()[2].toBool());
        QVERIFY(QFileInfo::exists(fallback));
        QVERIFY2(w.bannerText().contains("before latents were kept"), qPrintable(w.bannerText()));
    }

    // A picture that could not be written when it was made (the output folder blocked by a file) is completed
    // by Save again from its kept latents, and the item then points to it.
    void saveAgainCompletesAFailedSave() {
        QTemporaryDir dir;
        auto options = test::windowOptions(dir);
        QFile blocker(options.outputFolder);
        QVERIFY(blocker.open(QIODevice::WriteOnly)); // a file where the output folder should be
        blocker.close();
        ui::MainWindow w(std::make_unique<engine::LuminaEngine>(), options);
        QSignalSpy finished(w.bridge(), &ui::EngineBridge::finished);
        QVERIFY(loadAndGenerate(w, finished, "a quiet street at night", 2, 256, 256));
        QVERIFY(!finished.first()[0].value<ui::GenerationResult>().saveError.isEmpty());
        auto item = w.store()->item(1);
        QVERIFY(item.has_value());
        QVERIFY(item->imagePath.empty());

        QVERIFY(QFile::remove(options.outputFolder)); // the disk is usable again
        QSignalSpy exported(w.bridge(), &ui::EngineBridge::exported);
        w.saveAgain(*item);
        QVERIFY(exported.wait(60000));
        QCOMPARE(exported.last()[1].toString(), QString());
        item = w.store()->item(1);
        QVERIFY(!item->imagePath.empty());
        const QImage saved(QString::fromStdString(item->imagePath));
        QCOMPARE(saved.size(), QSize(256, 256));
        QCOMPARE(saved.pixelColor(100, 100),
                 finished.first()[0].value<ui::GenerationResult>().image.pixelColor(100, 100));
        QVERIFY(saved.text("lumina:settings").contains("a quiet street at night"));
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
