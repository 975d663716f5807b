// The studio per model family (docs/lumina2.md): the settings panel offers the loaded family's presets and
// controls only (Lumina-Image 2.0: system prompt, CFG normalization, CFG truncation with its note;
// Lumina-Next: the extrapolation group), switching family resets to that family's default preset, every
// request carries the family and the Lumina 2 settings; the main window shows the family with the model name
// and refuses a gallery item of the other family with a message. The demo engine presents the family
// (DemoEngineOptions); a queued job of the other family waits instead of failing. Mutations tried: request()
// without `r.family = m_family` -> requestCarriesFamilyAndLumina2Settings fails; setFamily() not hiding the
// extrapolation toggle -> controlsFollowTheFamily fails; the truncation note printing plan.evaluations
// instead of the unguided total -> truncationNoteSaysWhatItSaves fails; the gallery family check removed ->
// galleryItemOfTheOtherFamilyIsRefused fails; the queue's family check removed ->
// queuedJobOfTheOtherFamilyWaits fails (the demo engine ran it: 2 steps).
#include "core/text/lumina2_prompt.h"
#include "gui/gui_test_support.h"
#include "ui/demo_engine.h"
#include "ui/gallery_panel.h"
#include "ui/preferences.h"
#include "ui/prompt_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QToolButton>

using namespace lumina;

namespace {

// QCOMPARE prints enums of the vocabulary by their names.
template <typename E> QString name(E value) {
    return QString::fromStdString(toString(value));
}

QStringList presetData(const ui::SettingsPanel& p) {
    auto* combo = p.findChild<QComboBox*>("presetCombo");
    QStringList out;
    for (int i = 0; i < combo->count(); ++i)
        out << combo->itemData(i).toString();
    return out;
}

} // namespace

class TestFamilySettings : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { test::isolateSettings(m_dir); }

    // Each family's presets (presetNames), the default selected and its settings applied on a switch.
    void presetListFollowsTheFamily() {
        ui::SettingsPanel p;
        QCOMPARE(presetData(p), (QStringList{"lumina", "diffusers"}));
        p.findChild<QSpinBox*>("stepsSpin")->setValue(7);
        p.setFamily(ModelFamily::Lumina2);
        QCOMPARE(presetData(p), (QStringList{"lumina2-official", "diffusers"}));
        QCOMPARE(p.findChild<QComboBox*>("presetCombo")->currentData().toString(),
                 QString("lumina2-official"));
        const pipeline::SamplingSettings official =
            pipeline::presetSettings("lumina2-official", ModelFamily::Lumina2);
        QCOMPARE(p.findChild<QSpinBox*>("stepsSpin")->value(), official.steps);
        QCOMPARE(name(p.request().sampling.cfgNormalization), name(official.cfgNormalization));
        // The diffusers preset of Lumina 2 is Lumina2Pipeline's, and the request validates.
        auto* preset = p.findChild<QComboBox*>("presetCombo");
        preset->setCurrentIndex(preset->findData("diffusers"));
        QCOMPARE(name(p.request().sampling.cfgNormalization),
                 name(pipeline::presetSettings("diffusers", ModelFamily::Lumina2).cfgNormalization));
        pipeline::GenerationRequest r = p.request();
        r.prompt = "a cat";
        pipeline::validateRequest(r);
        // The same family again keeps the user's settings.
        p.findChild<QSpinBox*>("stepsSpin")->setValue(9);
        p.setFamily(ModelFamily::Lumina2);
        QCOMPARE(p.findChild<QSpinBox*>("stepsSpin")->value(), 9);
        p.setFamily(ModelFamily::LuminaNext);
        QCOMPARE(presetData(p), (QStringList{"lumina", "diffusers"}));
        QCOMPARE(p.request().preset, std::string("lumina"));
    }

    void controlsFollowTheFamily() {
        ui::SettingsPanel p;
        p.show();
        auto* lumina2 = p.findChild<QWidget*>("lumina2Group");
        auto* extrapolation = p.findChild<QToolButton*>("extrapolationToggle");
        QVERIFY(!lumina2->isVisible());
        QVERIFY(extrapolation->isVisible());
        extrapolation->setChecked(true);
        QVERIFY(p.findChild<QWidget*>("ropeCombo")->isVisible());
        p.setFamily(ModelFamily::Lumina2);
        QVERIFY(lumina2->isVisible());
        QVERIFY(!extrapolation->isVisible());
        QVERIFY(!p.findChild<QWidget*>("ropeCombo")->isVisible());
        QVERIFY(!p.findChild<QWidget*>("contextDropCheck")->isVisible());
        p.setFamily(ModelFamily::LuminaNext);
        QVERIFY(!lumina2->isVisible());
        QVERIFY(p.findChild<QWidget*>("ropeCombo")->isVisible());
    }

    void requestCarriesFamilyAndLumina2Settings() {
        ui::SettingsPanel p;
        QCOMPARE(name(p.request().family), name(ModelFamily::LuminaNext));
        p.setFamily(ModelFamily::Lumina2);
        QCOMPARE(name(p.request().family), name(ModelFamily::Lumina2));
        QVERIFY(!p.request().systemPrompt.has_value()); // "superior" is the pipeline's default
        auto* choice = p.findChild<QComboBox*>("systemPromptChoice");
        auto* text = p.findChild<QLineEdit*>("systemPromptEdit");
        QCOMPARE(text->text().toStdString(), std::string(text::kLumina2SuperiorSystemPrompt));
        choice->setCurrentIndex(choice->findData("alignment"));
        QCOMPARE(p.request().systemPrompt.value(), std::string(text::kLumina2AlignmentSystemPrompt));
        QVERIFY(text->isReadOnly());
        choice->setCurrentIndex(choice->findData("custom"));
        QVERIFY(!text->isReadOnly());
        text->clear();
        QTest::keyClicks(text, "Draw in ink.");
        QCOMPARE(p.request().systemPrompt.value(), std::string("Draw in ink."));
        auto* norm = p.findChild<QComboBox*>("cfgNormalizationCombo");
        norm->setCurrentIndex(norm->findData("clip"));
        p.findChild<QDoubleSpinBox*>("cfgTruncRatioSpin")->setValue(0.25);
        const pipeline::GenerationRequest r = p.request();
        QCOMPARE(name(r.sampling.cfgNormalization), name(CFGNormalization::Clip));
        QCOMPARE(r.sampling.cfgTruncRatio, 0.25);
        // applyRequest (gallery "use these settings") restores all of it, also from the other family.
        ui::SettingsPanel q;
        q.applyRequest(r);
        QCOMPARE(name(q.family()), name(ModelFamily::Lumina2));
        const pipeline::GenerationRequest back = q.request();
        QCOMPARE(back.systemPrompt.value(), std::string("Draw in ink."));
        QCOMPARE(name(back.sampling.cfgNormalization), name(CFGNormalization::Clip));
        QCOMPARE(back.sampling.cfgTruncRatio, 0.25);
    }

    void truncationNoteSaysWhatItSaves() {
        QCOMPARE(ui::cfgTruncationNote(30, 4.0, 0.5),
                 QString("Guided on 15 of 30 steps: saves 15 of 60 model evaluations."));
        QCOMPARE(ui::cfgTruncationNote(30, 4.0, 1.0),
                 QString("Guided on 30 of 30 steps: saves 0 of 60 model evaluations."));
        QVERIFY(ui::cfgTruncationNote(30, 1.0, 0.5).contains("Guidance is off"));
        ui::SettingsPanel p;
        p.setFamily(ModelFamily::Lumina2);
        p.findChild<QSpinBox*>("stepsSpin")->setValue(30);
        p.findChild<QDoubleSpinBox*>("guidanceSpin")->setValue(4.0);
        p.findChild<QDoubleSpinBox*>("cfgTruncRatioSpin")->setValue(0.5);
        QCOMPARE(p.findChild<QLabel*>("cfgTruncationNote")->text(), ui::cfgTruncationNote(30, 4.0, 0.5));
    }

    // The status bar names the family with the model; the settings panel takes the loaded model's family.
    void mainWindowShowsAndUsesTheFamily() {
        ui::DemoEngineOptions options;
        options.family = ModelFamily::Lumina2;
        ui::MainWindow w(std::make_unique<ui::DemoEngine>(options), test::windowOptions(m_dir));
        QVERIFY(test::loadDemoModel(w));
        QVERIFY2(w.findChild<QLabel*>("modelLabel")->text().contains("Lumina-Image 2.0 · demo"),
                 qPrintable(w.findChild<QLabel*>("modelLabel")->text()));
        QCOMPARE(name(w.settingsPanel()->family()), name(ModelFamily::Lumina2));
        QCOMPARE(name(w.settingsPanel()->request().family), name(ModelFamily::Lumina2));
    }

    // The system prompt is remembered per model (QSettings) and restored on the next load; the token count
    // includes it (the demo engine counts its words for Lumina 2).
    void systemPromptIsRememberedAndCounted() {
        ui::DemoEngineOptions options;
        options.family = ModelFamily::Lumina2;
        const QString model = "demo (gradients, no model)";
        ui::rememberSystemPrompt(model, std::nullopt);
        {
            ui::MainWindow w(std::make_unique<ui::DemoEngine>(options),
                             test::windowOptions(m_dir, "memory.sqlite"));
            QVERIFY(test::loadDemoModel(w));
            QSignalSpy counted(w.bridge(), &ui::EngineBridge::tokenCount);
            w.promptPanel()->setPrompt("a cat");
            auto* choice = w.findChild<QComboBox*>("systemPromptChoice");
            choice->setCurrentIndex(choice->findData("custom"));
            auto* text = w.findChild<QLineEdit*>("systemPromptEdit");
            text->clear();
            QTest::keyClicks(text, "Draw in ink.");
            QCOMPARE(ui::rememberedSystemPrompt(model).value_or(""), std::string("Draw in ink."));
            // <bos> + "Draw in ink." (3) + "<Prompt Start>" (2) + "a cat" (2)
            QTRY_VERIFY_WITH_TIMEOUT(!counted.isEmpty() && counted.last()[0].toInt() == 8, 3000);
        }
        ui::MainWindow again(std::make_unique<ui::DemoEngine>(options),
                             test::windowOptions(m_dir, "memory.sqlite"));
        QVERIFY(test::loadDemoModel(again));
        QCOMPARE(again.settingsPanel()->systemPrompt().value_or(""), std::string("Draw in ink."));
        QCOMPARE(again.findChild<QComboBox*>("systemPromptChoice")->currentData().toString(),
                 QString("custom"));
        // Back to the default: nothing is remembered.
        auto* choice = again.findChild<QComboBox*>("systemPromptChoice");
        choice->setCurrentIndex(choice->findData("superior"));
        QVERIFY(!ui::rememberedSystemPrompt(model).has_value());
    }

    void galleryItemOfTheOtherFamilyIsRefused() {
        ui::MainWindow w(std::make_unique<ui::DemoEngine>(), test::windowOptions(m_dir, "refuse.sqlite"));
        QVERIFY(test::loadDemoModel(w)); // a Lumina-Next demo model
        pipeline::GenerationRequest r;
        r.family = ModelFamily::Lumina2;
        r.preset = "lumina2-official";
        r.prompt = "from the other family";
        r.sampling = pipeline::presetSettings(r.preset, r.family);
        gallery::GalleryItem item;
        item.settings = pipeline::toJson(r);
        emit w.galleryPanel()->useSettingsRequested(item);
        const QString banner = w.findChild<QLabel*>("bannerLabel")->text();
        QVERIFY2(banner.contains("Lumina-Image 2.0") && banner.contains("Lumina-Next"), qPrintable(banner));
        QCOMPARE(name(w.settingsPanel()->family()), name(ModelFamily::LuminaNext));
        // The same family is taken.
        r.family = ModelFamily::LuminaNext;
        r.preset = "lumina";
        r.sampling = pipeline::presetSettings(r.preset, r.family);
        r.sampling.steps = 11;
        item.settings = pipeline::toJson(r);
        emit w.galleryPanel()->useSettingsRequested(item);
        QCOMPARE(w.findChild<QSpinBox*>("stepsSpin")->value(), 11);
    }

    // A job queued for the other family (before a model switch) is neither run nor lost: it stays first in
    // the queue, the queue pauses and the banner says which model it needs; loading that family runs it.
    void queuedJobOfTheOtherFamilyWaits() {
        QTemporaryDir dir;
        ui::MainWindow w(std::make_unique<ui::DemoEngine>(), test::windowOptions(dir, "queue.sqlite"));
        QVERIFY(test::loadDemoModel(w)); // a Lumina-Next demo model
        pipeline::GenerationRequest r;
        r.family = ModelFamily::Lumina2;
        r.preset = "lumina2-official";
        r.prompt = "queued for Lumina 2";
        r.width = r.height = 256;
        r.sampling = pipeline::presetSettings(r.preset, r.family);
        r.sampling.steps = 2;
        const int64_t id = w.store()->enqueue(pipeline::toJson(r));
        QSignalSpy started(w.bridge(), &ui::EngineBridge::progress);
        w.runQueue();
        QTest::qWait(200);
        QCOMPARE(started.size(), 0);
        const auto jobs = w.store()->jobs();
        QCOMPARE(jobs.size(), std::size_t{1});
        QCOMPARE(jobs.front().id, id);
        QVERIFY(jobs.front().state == gallery::JobState::Queued);
        const QString banner = w.findChild<QLabel*>("bannerLabel")->text();
        QVERIFY2(banner.contains("Lumina-Image 2.0") && banner.contains("queue"), qPrintable(banner));
    }
};

QTEST_MAIN(TestFamilySettings)
#include "test_family_settings.moc"
