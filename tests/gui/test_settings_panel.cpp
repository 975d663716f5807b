// Settings panel: size presets, snapping to 16, aspect lock, swap, preset filling, seed policies; prompt
// panel history, token marker and input-method composition; the estimate grows with the size.
#include "gui/gui_test_support.h"
#include "ui/demo_engine.h"
#include "ui/estimate.h"
#include "ui/refine_dialog.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QInputMethodEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>

using namespace lumina;

class TestSettingsPanel : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { test::isolateSettings(m_dir); }

    // The init image row: empty is text-to-image (strength and resize disabled); set, the request carries it;
    // the estimate counts only the steps that run; a request with an init image fills the row and clearing
    // empties it.
    void initImageRowMakesImageToImageRequests() {
        ui::SettingsPanel p;
        auto* strength = p.findChild<QDoubleSpinBox*>("strengthSpin");
        auto* resize = p.findChild<QComboBox*>("initResizeCombo");
        auto* estimate = p.findChild<QLabel*>("estimateLabel");
        QVERIFY(!strength->isEnabled());
        QVERIFY(!resize->isEnabled());
        QVERIFY(!p.request().initImage.enabled());
        const QString before = estimate->text();
        p.setInitImage("/pictures/favourite.png");
        QVERIFY(strength->isEnabled());
        strength->setValue(0.3);
        resize->setCurrentIndex(resize->findData("crop"));
        auto r = p.request();
        QCOMPARE(r.initImage.path, std::string("/pictures/favourite.png"));
        QCOMPARE(r.initImage.strength, 0.3);
        QVERIFY(r.initImage.resize == InitResize::Crop);
        QVERIFY2(estimate->text() != before, qPrintable(estimate->text())); // 9 of 30 steps cost less
        p.findChild<QToolButton*>("clearInitImage")->click();
        QVERIFY(!p.request().initImage.enabled());
        QVERIFY(!strength->isEnabled());
        r.initImage.strength = 0.8;
        r.initImage.resize = InitResize::Fit;
        p.applyRequest(r);
        QCOMPARE(p.initImage(), QString("/pictures/favourite.png"));
        QCOMPARE(p.request().initImage.strength, 0.8);
        QVERIFY(p.request().initImage.resize == InitResize::Fit);
        r.initImage = {};
        p.applyRequest(r);
        QVERIFY(p.initImage().isEmpty());
    }

    // The Refine dialog shows the new size and the steps that run, and refuses what cannot run: a target over
    // the memory budget (with both numbers) and one above the largest size.
    void refineDialogRefusesWhatCannotRun() {
        pipeline::RefineSource source;
        source.request.prompt = "a harbour";
        source.request.width = source.width = 1024;
        source.request.height = source.height = 1024;
        source.imagePath = "/gallery/1.png";
        source.galleryItem = 1;
        ui::RefineContext roomy{"cpu", "fp32", {}, 10000.0};
        ui::RefineDialog fits(source, 2, roomy);
        auto* ok = fits.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        QVERIFY(ok->isEnabled());
        QVERIFY2(fits.summaryLabel()->text().contains("1024 × 1024 → 2048 × 2048, 12 of 30 steps"),
                 qPrintable(fits.summaryLabel()->text()));
        QCOMPARE(fits.request()->width, 2048);
        if (const QString shots = qEnvironmentVariable("LUMINA_SCREENSHOT_DIR"); !shots.isEmpty()) {
            fits.show();
            QVERIFY(QTest::qWaitForWindowExposed(&fits));
            QVERIFY(fits.grab().save(QDir(shots).filePath("refine_en.png")));
        }
        fits.strengthBox()->setValue(1.0);
        QVERIFY(fits.summaryLabel()->text().contains("30 of 30 steps"));

        ui::RefineContext tight{"cpu", "fp32", {}, 0.5};
        ui::RefineDialog tooBig(source, 4, tight);
        QVERIFY(!tooBig.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled());
        QVERIFY2(tooBig.summaryLabel()->text().contains("only 0.5 GB"),
                 qPrintable(tooBig.summaryLabel()->text()));

        source.width = source.height = 2048;
        ui::RefineDialog tooWide(source, 4, roomy);
        QVERIFY(!tooWide.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled());
        QVERIFY2(tooWide.summaryLabel()->text().contains("8192"), qPrintable(tooWide.summaryLabel()->text()));
        QVERIFY(!tooWide.request().has_value());
        tooWide.factorBox()->setCurrentIndex(tooWide.factorBox()->findData(2));
        QVERIFY(tooWide.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled());
    }

    void sizesSnapLockAndSwap() {
        ui::SettingsPanel p;
        auto* preset = p.findChild<QComboBox*>("sizePreset");
        auto* width = p.findChild<QSpinBox*>("widthSpin");
        auto* height = p.findChild<QSpinBox*>("heightSpin");
        preset->setCurrentIndex(preset->findData(QSize(3840, 2160)));
        QCOMPARE(p.request().width, 3840);
        QCOMPARE(p.request().height, 2160);
        p.setSize(1000, 1030); // snapped to multiples of 16
        QCOMPARE(width->value(), 1008);
        QCOMPARE(height->value(), 1024);
        QCOMPARE(preset->currentText(), tr("Custom"));
        p.setSize(1536, 640);
        QVERIFY(preset->currentText().contains("1536 × 640"));
        p.findChild<QToolButton*>("swapSize")->click();
        QCOMPARE(width->value(), 640);
        QCOMPARE(height->value(), 1536);
        p.setSize(1024, 512);
        p.findChild<QToolButton*>("aspectLock")->setChecked(true);
        width->setValue(2050);
        emit width->editingFinished();
        QCOMPARE(width->value(), 2048);
        QCOMPARE(height->value(), 1024);
        for (const auto& s : ui::sizePresets()) {
            QCOMPARE(s.width % 16, 0);
            QCOMPARE(s.height % 16, 0);
        }
    }

    void presetFillsFieldsAndRequestValidates() {
        ui::SettingsPanel p;
        auto* preset = p.findChild<QComboBox*>("presetCombo");
        preset->setCurrentIndex(preset->findData("diffusers"));
        const auto expected = pipeline::presetSettings("diffusers");
        pipeline::GenerationRequest r = p.request();
        QCOMPARE(r.preset, std::string("diffusers"));
        QVERIFY(r.sampling.sampler == expected.sampler);
        QCOMPARE(r.sampling.watershed, expected.watershed);
        QCOMPARE(r.sampling.steps, expected.steps);
        r.prompt = "x";
        pipeline::validateRequest(r);
        preset->setCurrentIndex(preset->findData("lumina"));
        QVERIFY(p.request().sampling.sampler == pipeline::presetSettings("lumina").sampler);
    }

    void seedPolicies() {
        ui::SettingsPanel p;
        auto* mode = p.findChild<QComboBox*>("seedMode");
        auto* seed = p.findChild<QLineEdit*>("seedEdit");
        QVERIFY(!seed->isEnabled()); // random by default
        mode->setCurrentIndex(mode->findData(int(ui::SeedMode::Fixed)));
        seed->setText("5");
        QCOMPARE(p.takeSeeds(3), (std::vector<uint64_t>{5, 5, 5}));
        mode->setCurrentIndex(mode->findData(int(ui::SeedMode::Increment)));
        QCOMPARE(p.takeSeeds(2), (std::vector<uint64_t>{5, 6}));
        QCOMPARE(seed->text(), QString("7"));
        mode->setCurrentIndex(mode->findData(int(ui::SeedMode::Random)));
        const auto random = p.takeSeeds(2);
        QCOMPARE(random.size(), std::size_t(2));
        p.setLastSeed(1234);
        p.findChild<QPushButton*>("reuseSeed")->click();
        QCOMPARE(seed->text(), QString("1234"));
        QVERIFY(p.seedMode() == ui::SeedMode::Fixed);
    }

    void estimateGrowsWithSize() {
        const auto small = ui::estimateRun(1024, 1024, 30, Sampler::Midpoint, "cuda", "bf16");
        const auto big = ui::estimateRun(2048, 2048, 30, Sampler::Midpoint, "cuda", "bf16");
        QVERIFY(big.seconds > 4 * small.seconds);
        QVERIFY(big.gigabytes > small.gigabytes);
        QVERIFY(ui::estimateRun(1024, 1024, 30, Sampler::Midpoint, "cpu", "auto").seconds > small.seconds);
        ui::SettingsPanel p;
        QVERIFY(p.findChild<QLabel*>("estimateLabel")->text().contains("4096"));
        QVERIFY(p.findChild<QLabel*>("estimateLabel")->text().contains("Lumina-Next-SFT"));
    }

    void estimateFollowsTheLoadedModel() {
        // A model a tenth the size costs a tenth of the time per step (the encode and decode share stays) and
        // far less weight memory; the unknown size is Lumina-Next-SFT's.
        const auto sft = ui::estimateRun(1024, 1024, 30, Sampler::Midpoint, "cuda", "bf16");
        QCOMPARE(ui::estimateRun(1024, 1024, 30, Sampler::Midpoint, "cuda", "bf16",
                                 pipeline::luminaNextSftFootprint(2))
                     .seconds,
                 sft.seconds);
        pipeline::ModelFootprint small;
        small.transformerParams = 200'000'000;
        small.textEncoderParams = 250'000'000;
        small.vaeParams = 84'000'000;
        small.transformerWeightBytes = 400'000'000;
        small.textEncoderWeightBytes = 500'000'000;
        small.vaeWeightBytes = 168'000'000;
        small.hiddenSize = 768;
        small.elementBytes = small.vaeElementBytes = 2;
        const auto tenth = ui::estimateRun(1024, 1024, 30, Sampler::Midpoint, "cuda", "bf16", small);
        QVERIFY2(tenth.seconds < 0.35 * sft.seconds,
                 qPrintable(QString("%1 s against %2 s").arg(tenth.seconds).arg(sft.seconds)));
        QVERIFY(tenth.gigabytes < sft.gigabytes - 7.0); // (4.5 - 0.45) G parameters x 2 bytes fewer
        // The memory figure is the engine's memory plan for the same footprint (core/pipeline/memory_plan.h).
        QCOMPARE(tenth.gigabytes, double(pipeline::planMemory(small, 1024, 1024, true, true,
                                                              std::numeric_limits<uint64_t>::max())
                                             .peakBytes) /
                                      1e9);
        ui::SettingsPanel p;
        p.setEstimateModel("tiny-test", small);
        const QString text = p.findChild<QLabel*>("estimateLabel")->text();
        QVERIFY2(text.contains("tiny-test") && text.contains("0.20B"), qPrintable(text));
        QVERIFY2(!text.contains("GPU"), qPrintable(text));
    }

    void estimateSaysWhatTheMemoryPlanDoes() {
        // Lumina-Next-SFT in bf16 at 2048^2 on an 8 GB GPU: the text encoder and the transformer take turns,
        // the VAE tiles; with 24 GB everything stays. Far too little: the label says so.
        ui::SettingsPanel p;
        p.setEstimateDevice("cuda:0", "bf16");
        p.findChild<QSpinBox*>("widthSpin")->setValue(2048);
        p.findChild<QSpinBox*>("heightSpin")->setValue(2048);
        auto* label = p.findChild<QLabel*>("estimateLabel");
        p.setEstimateModel("Lumina-Next-SFT", pipeline::luminaNextSftFootprint(2), 8.0);
        QVERIFY2(label->text().contains("take turns on the GPU") && label->text().contains("tiles"),
                 qPrintable(label->text()));
        p.setEstimateModel("Lumina-Next-SFT", pipeline::luminaNextSftFootprint(2), 24.0);
        QVERIFY2(!label->text().contains("GPU") && !label->text().contains("tiles"),
                 qPrintable(label->text()));
        p.setEstimateModel("Lumina-Next-SFT", pipeline::luminaNextSftFootprint(2), 3.0);
        QVERIFY2(label->text().contains("more than the 3.0 GB"), qPrintable(label->text()));
    }

    void promptHistoryAndTokenMarker() {
        ui::PromptPanel p;
        p.addToHistory("first prompt");
        p.addToHistory("second prompt");
        p.setPrompt("draft");
        QPlainTextEdit* edit = p.promptEdit();
        QTest::keyClick(edit, Qt::Key_Up, Qt::AltModifier);
        QCOMPARE(p.prompt(), QString("second prompt"));
        QTest::keyClick(edit, Qt::Key_Up, Qt::AltModifier);
        QCOMPARE(p.prompt(), QString("first prompt"));
        QTest::keyClick(edit, Qt::Key_Down, Qt::AltModifier);
        QTest::keyClick(edit, Qt::Key_Down, Qt::AltModifier);
        QCOMPARE(p.prompt(), QString("draft"));
        p.setPrompt("0123456789");
        p.setTokenCount(300, 256, true, 6);
        QCOMPARE(edit->extraSelections().size(), 1);
        QCOMPARE(edit->extraSelections()[0].cursor.selectionStart(), 6);
        QCOMPARE(edit->extraSelections()[0].cursor.selectionEnd(), 10);
        QVERIFY(p.findChild<QLabel*>("tokenLabel")->text().contains("300 / 256"));
        p.setTokenCount(12, 256, false, 10);
        QVERIFY(edit->extraSelections().isEmpty());
    }

    void inputMethodCompositionCommitsText() {
        // Chinese, Japanese and Korean input methods compose in a preedit area and commit the result; the
        // prompt holds only committed text.
        QTemporaryDir dir;
        ui::MainWindow w(std::make_unique<ui::DemoEngine>(), test::windowOptions(dir));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QPlainTextEdit* edit = w.promptPanel()->promptEdit();
        edit->setFocus();
        QVERIFY(edit->testAttribute(Qt::WA_InputMethodEnabled));
        QVERIFY(edit->inputMethodQuery(Qt::ImEnabled).toBool());
        auto compose = [&](const QString& preedit, const QString& commit) {
            QInputMethodEvent composing(preedit, {});
            QApplication::sendEvent(edit, &composing);
            QInputMethodEvent committing;
            committing.setCommitString(commit);
            QApplication::sendEvent(edit, &committing);
        };
        QInputMethodEvent pinyin("nihao", {});
        QApplication::sendEvent(edit, &pinyin);
        QCOMPARE(w.promptPanel()->prompt(), QString()); // composing: nothing committed yet
        compose("nihao", QString::fromUtf8("你好"));
        compose(QString::fromUtf8("ねこ"), QString::fromUtf8("猫"));
        compose(QString::fromUtf8("하"), QString::fromUtf8("한"));
        QCOMPARE(w.promptPanel()->prompt(), QString::fromUtf8("你好猫한"));
        // The editor answers the input method's queries (cursor rectangle for the candidate window).
        QVERIFY(edit->inputMethodQuery(Qt::ImCursorRectangle).toRect().isValid());
        QCOMPARE(edit->inputMethodQuery(Qt::ImSurroundingText).toString(), QString::fromUtf8("你好猫한"));
    }

    void tokenCountComesFromTheEngineThroughTheWorker() {
        QTemporaryDir dir;
        ui::MainWindow w(std::make_unique<ui::DemoEngine>(), test::windowOptions(dir));
        QVERIFY(test::loadDemoModel(w));
        QSignalSpy counted(w.bridge(), &ui::EngineBridge::tokenCount);
        QString longPrompt;
        for (int i = 0; i < 300; ++i)
            longPrompt += "word ";
        w.promptPanel()->setPrompt(longPrompt);
        // (A count for the empty prompt may come first, right after the model loaded.)
        QTRY_VERIFY_WITH_TIMEOUT(!counted.isEmpty() && counted.last()[0].toInt() == 301, 3000);
        QVERIFY(counted.last()[2].toBool());
        QCOMPARE(counted.last()[3].toInt(), 255 * 5);
        QCOMPARE(w.promptPanel()->promptEdit()->extraSelections().size(), 1);
    }
};

QTEST_MAIN(TestSettingsPanel)
#include "test_settings_panel.moc"
