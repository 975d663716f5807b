// The Lumina-Image 2.0 LoRA list in the studio (docs/lumina2.md, "In the studio"): the enabled rows whose
// file exists reach the request in list order with their scales; disabled and missing ones do not (a missing
// file is marked, not dropped); the list is hidden for Lumina-Next, whose requests carry no LoRAs; it is
// remembered per model; "use these settings" on a gallery item restores it (through requestFromJson, the
// settings read-back); the gallery tooltip names the family and the LoRAs; the gallery search finds a family.
// Mutations tried: request() without `r.loras = m_loras->choices()` -> enabledLorasReachTheRequestInOrder and
// galleryRestoresTheLoras fail; choices() ignoring the enabled box -> enabledLorasReachTheRequestInOrder
// fails; choices() without the file check -> missingFileIsMarkedAndNotSent fails; applyRequest() without
// setChoices -> galleryRestoresTheLoras fails; the window not restoring rememberedLoras on a model load ->
// listIsRememberedPerModel fails; the scale spin box's range not widened for a restored scale ->
// restoredScalesStayExact fails; the tooltip without modelLine -> galleryShowsAndFindsTheFamily fails; the
// file name not elided -> longNamesKeepTheRowNarrow fails (and test_screenshots' lumina2-ja window grows);
// rememberedLoras() without its validity check -> nonsenseInTheMemoryIsLeftOut fails.
#include "gui/gui_test_support.h"
#include "ui/demo_engine.h"
#include "ui/gallery_model.h"
#include "ui/gallery_panel.h"
#include "ui/lora_list.h"
#include "ui/preferences.h"

#include <QCheckBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QToolButton>

using namespace lumina;

namespace {

template <typename E> QString name(E value) {
    return QString::fromStdString(toString(value));
}

// "path × scale, ..." for readable comparisons.
QString describe(const std::vector<pipeline::LoraChoice>& loras) {
    QStringList out;
    for (const auto& l : loras)
        out << QString("%1 × %2").arg(QFileInfo(QString::fromStdString(l.path)).fileName()).arg(l.scale);
    return out.join(", ");
}

QList<QWidget*> rows(const QWidget& parent) {
    return parent.findChildren<QWidget*>("loraRow");
}

} // namespace

class TestLoraList : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    // An (empty) LoRA file in the test folder: the studio only checks that it exists.
    QString loraFile(const QString& fileName) {
        const QString path = m_dir.filePath(fileName);
        QFile f(path);
        if (!f.exists()) {
            f.open(QIODevice::WriteOnly);
            f.write("{}");
        }
        return path;
    }
    std::string lora(const QString& fileName) { return loraFile(fileName).toStdString(); }

private slots:
    void initTestCase() { test::isolateSettings(m_dir); }

    void enabledLorasReachTheRequestInOrder() {
        ui::SettingsPanel p;
        p.setFamily(ModelFamily::Lumina2);
        auto* list = p.findChild<ui::LoraList*>("loraList");
        QVERIFY(list);
        QCOMPARE(p.request().loras.size(), std::size_t{0});
        list->addFile(loraFile("ink.safetensors"));
        list->addFile(loraFile("style.safetensors"));
        list->addFile(loraFile("detail.safetensors"));
        const QList<QWidget*> r = rows(p);
        QCOMPARE(r.size(), 3);
        r[1]->findChild<QDoubleSpinBox*>("loraScale")->setValue(0.5);
        r[2]->findChild<QDoubleSpinBox*>("loraScale")->setValue(-1.25);
        QCOMPARE(describe(p.request().loras),
                 QString("ink.safetensors × 1, style.safetensors × 0.5, detail.safetensors × -1.25"));
        r[0]->findChild<QCheckBox*>("loraEnabled")->setChecked(false);
        QCOMPARE(describe(p.request().loras), QString("style.safetensors × 0.5, detail.safetensors × -1.25"));
        QCOMPARE(p.request().loras[0].path, loraFile("style.safetensors").toStdString());
        // A disabled row stays in the list (and in what the per-model memory keeps).
        QCOMPARE(p.loraEntries().size(), std::size_t{3});
        QVERIFY(!p.loraEntries()[0].enabled);
        // Removing a row: the others keep their order and scales.
        QSignalSpy changed(&p, &ui::SettingsPanel::lorasChanged);
        r[1]->findChild<QToolButton*>("loraRemove")->click();
        QCOMPARE(changed.size(), 1);
        QCOMPARE(describe(p.request().loras), QString("detail.safetensors × -1.25"));
        pipeline::GenerationRequest request = p.request();
        request.prompt = "a cat";
        pipeline::validateRequest(request); // what the list sends is what the pipeline accepts
    }

    void missingFileIsMarkedAndNotSent() {
        ui::SettingsPanel p;
        p.setFamily(ModelFamily::Lumina2);
        const QString gone = loraFile("gone.safetensors");
        p.setLoraEntries({{lora("kept.safetensors"), 0.75, true}, {gone.toStdString(), 1.0, true}});
        QCOMPARE(describe(p.request().loras), QString("kept.safetensors × 0.75, gone.safetensors × 1"));
        QVERIFY(QFile::remove(gone));
        QCOMPARE(describe(p.request().loras), QString("kept.safetensors × 0.75")); // not sent at once
        auto* list = p.findChild<ui::LoraList*>("loraList");
        list->refreshMissing();
        const QList<QWidget*> r = rows(p);
        QCOMPARE(r.size(), 2); // shown, not dropped
        QVERIFY(!r[0]->property("missing").toBool());
        QVERIFY(r[1]->property("missing").toBool());
        const QString marked = r[1]->findChild<QCheckBox*>("loraEnabled")->text();
        QVERIFY2(marked.startsWith("gone.") && marked.endsWith(" (missing)"), qPrintable(marked));
        QVERIFY(r[1]->findChild<QCheckBox*>("loraEnabled")->toolTip().contains(gone));
        QCOMPARE(p.loraEntries()[1].path, gone.toStdString());
        // A list restored with a file that is gone is marked from the start.
        ui::SettingsPanel q;
        q.setFamily(ModelFamily::Lumina2);
        q.setLoraEntries(p.loraEntries());
        QVERIFY(rows(q)[1]->property("missing").toBool());
        // The file is back: sent again.
        loraFile("gone.safetensors");
        QCOMPARE(describe(q.request().loras), QString("kept.safetensors × 0.75, gone.safetensors × 1"));
    }

    // A long file name is elided (whole path in the tooltip) so the settings dock keeps its width.
    void longNamesKeepTheRowNarrow() {
        ui::LoraList list;
        const QString longName = QString("very-long-lora-name-").repeated(6) + ".safetensors";
        list.addFile(loraFile(longName));
        list.addFile(m_dir.filePath(longName + ".gone"));
        for (QCheckBox* box : list.findChildren<QCheckBox*>("loraEnabled")) {
            QVERIFY2(box->sizeHint().width() < 200, qPrintable(box->text()));
            QVERIFY(box->toolTip().contains(longName));
        }
        QVERIFY(list.findChildren<QCheckBox*>("loraEnabled")[1]->text().endsWith(" (missing)"));
    }

    void hiddenForLuminaNext() {
        ui::SettingsPanel p;
        p.show();
        QVERIFY(QTest::qWaitForWindowExposed(&p));
        auto* list = p.findChild<ui::LoraList*>("loraList");
        QVERIFY(!list->isVisible());
        p.setFamily(ModelFamily::Lumina2);
        QVERIFY(list->isVisible());
        p.setLoraEntries({{lora("ink.safetensors"), 1.0, true}});
        QCOMPARE(p.request().loras.size(), std::size_t{1});
        p.setFamily(ModelFamily::LuminaNext);
        QVERIFY(!list->isVisible());
        pipeline::GenerationRequest r = p.request();
        QCOMPARE(name(r.family), name(ModelFamily::LuminaNext));
        QCOMPARE(r.loras.size(), std::size_t{0});
        r.prompt = "a cat";
        pipeline::validateRequest(r); // a Lumina-Next request with LoRAs would be refused
        // Lumina-Next settings applied leave the (hidden) list alone.
        p.applyRequest(r);
        QCOMPARE(p.loraEntries().size(), std::size_t{1});
    }

    // The request allows scales up to ±100 with any precision; the list keeps them exactly.
    void restoredScalesStayExact() {
        ui::SettingsPanel p;
        pipeline::GenerationRequest r;
        r.family = ModelFamily::Lumina2;
        r.preset = "lumina2-official";
        r.sampling = pipeline::presetSettings(r.preset, r.family);
        r.loras = {{loraFile("strong.safetensors").toStdString(), 12.5},
                   {loraFile("fine.safetensors").toStdString(), 0.125},
                   {loraFile("negative.safetensors").toStdString(), -100}};
        p.applyRequest(r);
        QCOMPARE(describe(p.request().loras),
                 QString("strong.safetensors × 12.5, fine.safetensors × 0.125, negative.safetensors × -100"));
        const QList<QWidget*> rr = rows(p);
        QCOMPARE(rr[0]->findChild<QDoubleSpinBox*>("loraScale")->value(), 12.5);
        QCOMPARE(rr[2]->findChild<QDoubleSpinBox*>("loraScale")->value(), -100.0);
        QCOMPARE(rr[1]->findChild<QDoubleSpinBox*>("loraScale")->maximum(), 4.0); // the everyday range
        // Settings that send what the list sends already keep its disabled rows.
        rr[2]->findChild<QCheckBox*>("loraEnabled")->setChecked(false);
        p.applyRequest(p.request());
        QCOMPARE(p.loraEntries().size(), std::size_t{3});
    }

    // Remembered per model name: switching to another model and back brings each model's own list back,
    // disabled rows included.
    void listIsRememberedPerModel() {
        QTemporaryDir models;
        QVERIFY(QDir(models.path()).mkpath("other-model"));
        const QString other = QDir(models.path()).filePath("other-model");
        ui::DemoEngineOptions options;
        options.family = ModelFamily::Lumina2;
        ui::MainWindow w(std::make_unique<ui::DemoEngine>(options),
                         test::windowOptions(m_dir, "memory.sqlite"));
        QVERIFY(test::loadDemoModel(w));
        const QString demo = w.bridge()->modelName();
        w.settingsPanel()->setLoraEntries(
            {{lora("ink.safetensors"), 0.8, true}, {lora("style.safetensors"), 1.5, false}});
        QCOMPARE(ui::rememberedLoras(demo).size(), std::size_t{2});
        QSignalSpy loaded(w.bridge(), &ui::EngineBridge::modelLoaded);
        w.loadModel(other);
        QVERIFY(loaded.wait(5000));
        QVERIFY(w.bridge()->modelName() != demo);
        QCOMPARE(w.settingsPanel()->loraEntries().size(), std::size_t{0}); // nothing remembered for it
        w.settingsPanel()->setLoraEntries({{lora("detail.safetensors"), -0.5, true}});
        QVERIFY(test::loadDemoModel(w));
        const std::vector<ui::LoraEntry> back = w.settingsPanel()->loraEntries();
        QCOMPARE(back.size(), std::size_t{2});
        QVERIFY(back[0] == (ui::LoraEntry{lora("ink.safetensors"), 0.8, true}));
        QVERIFY(back[1] == (ui::LoraEntry{lora("style.safetensors"), 1.5, false}));
        QCOMPARE(describe(w.settingsPanel()->request().loras), QString("ink.safetensors × 0.8"));
        w.loadModel(other);
        QVERIFY(loaded.wait(5000));
        QCOMPARE(describe(w.settingsPanel()->request().loras), QString("detail.safetensors × -0.5"));
        // An emptied list is remembered as empty.
        w.settingsPanel()->setLoraEntries({});
        QCOMPARE(ui::rememberedLoras(w.bridge()->modelName()).size(), std::size_t{0});
    }

    // A hand-edited memory: entries the request would refuse are left out, the others kept in order.
    void nonsenseInTheMemoryIsLeftOut() {
        const QString model = "hand-edited";
        ui::rememberLoras(model, {{lora("ink.safetensors"), 0.5, true},
                                  {lora("a.safetensors"), 1.0, true},
                                  {lora("b.safetensors"), 1.0, true},
                                  {lora("style.safetensors"), -2.0, false}});
        {
            QSettings s;
            s.beginGroup(QString("modelSettings/%1/loras").arg(model));
            s.setValue("2/scale", "strong"); // rows are numbered from 1
            s.setValue("3/scale", 500);
        }
        const std::vector<ui::LoraEntry> loras = ui::rememberedLoras(model);
        QCOMPARE(loras.size(), std::size_t{2});
        QVERIFY(loras[0] == (ui::LoraEntry{lora("ink.safetensors"), 0.5, true}));
        QVERIFY(loras[1] == (ui::LoraEntry{lora("style.safetensors"), -2.0, false}));
    }

    // A run with LoRAs: the gallery item's settings carry them, and "use these settings" brings them back.
    void galleryRestoresTheLoras() {
        ui::DemoEngineOptions options;
        options.family = ModelFamily::Lumina2;
        ui::MainWindow w(std::make_unique<ui::DemoEngine>(options),
                         test::windowOptions(m_dir, "restore.sqlite"));
        QVERIFY(test::loadDemoModel(w));
        test::setRun(w, 2);
        w.promptPanel()->setPrompt("an ink drawing");
        w.settingsPanel()->setLoraEntries({{lora("ink.safetensors"), 0.6, true},
                                           {lora("off.safetensors"), 1.0, false},
                                           {lora("style.safetensors"), 1.35, true}});
        QSignalSpy finished(w.bridge(), &ui::EngineBridge::finished);
        w.generate();
        QVERIFY(finished.wait(10000));
        ui::GalleryModel* model = w.galleryPanel()->model();
        QTRY_COMPARE(model->totalCount(), 1);
        if (model->canFetchMore({})) model->fetchMore({});
        const gallery::GalleryItem item = *model->itemAt(0);
        QCOMPARE(describe(pipeline::requestFromJson(item.settings).loras),
                 QString("ink.safetensors × 0.6, style.safetensors × 1.35"));
        w.settingsPanel()->setLoraEntries({});
        emit w.galleryPanel()->useSettingsRequested(item);
        QCOMPARE(describe(w.settingsPanel()->request().loras),
                 QString("ink.safetensors × 0.6, style.safetensors × 1.35"));
        QCOMPARE(w.settingsPanel()->loraEntries().size(), std::size_t{2});
        // The restored list is the model's list now.
        QCOMPARE(ui::rememberedLoras(w.bridge()->modelName()).size(), std::size_t{2});
    }

    // The tooltip names the family, the model and the LoRAs; the search field finds items by family.
    void galleryShowsAndFindsTheFamily() {
        const auto dbFile = m_dir.filePath("family.sqlite").toStdString();
        {
            gallery::GalleryStore store(dbFile);
            pipeline::GenerationRequest r;
            r.family = ModelFamily::Lumina2;
            r.preset = "lumina2-official";
            r.prompt = "a fox";
            r.sampling = pipeline::presetSettings(r.preset, r.family);
            r.loras = {{"/loras/ink.safetensors", 0.8}, {"/loras/style.safetensors", 1.0}};
            gallery::GalleryItem item;
            item.prompt = r.prompt;
            item.settings = pipeline::toJson(r);
            item.model = "Lumina-Image-2.0";
            store.addItem(item);
            r.family = ModelFamily::LuminaNext;
            r.preset = "lumina";
            r.sampling = pipeline::presetSettings(r.preset, r.family);
            r.loras.clear();
            item.prompt = r.prompt = "a cat";
            item.settings = pipeline::toJson(r);
            item.model = "Lumina-Next-SFT";
            store.addItem(item);
        }
        ui::MainWindow w(std::make_unique<ui::DemoEngine>(), test::windowOptions(m_dir, "family.sqlite"));
        ui::GalleryModel* model = w.galleryPanel()->model();
        QCOMPARE(model->totalCount(), 2);
        if (model->canFetchMore({})) model->fetchMore({});
        const QString lumina2Tip = model->index(1).data(Qt::ToolTipRole).toString();
        QVERIFY2(lumina2Tip.contains("Lumina-Image 2.0 · Lumina-Image-2.0") &&
                     lumina2Tip.contains("LoRAs: ink.safetensors × 0.8, style.safetensors × 1"),
                 qPrintable(lumina2Tip));
        const QString nextTip = model->index(0).data(Qt::ToolTipRole).toString();
        QVERIFY2(nextTip.contains("Lumina-Next · Lumina-Next-SFT") && !nextTip.contains("LoRAs"),
                 qPrintable(nextTip));
        auto* search = w.findChild<QLineEdit*>("gallerySearch");
        QSignalSpy searched(model, &QAbstractItemModel::modelReset);
        search->setText("lumina-image 2");
        QVERIFY(searched.wait(3000)); // after the search field's debounce
        QCOMPARE(model->totalCount(), 1);
        if (model->canFetchMore({})) model->fetchMore({});
        QCOMPARE(model->index(0).data(ui::GalleryModel::PromptRole).toString(), QString("a fox"));
        search->setText("Lumina-Next");
        QVERIFY(searched.wait(3000));
        QCOMPARE(model->totalCount(), 1);
        if (model->canFetchMore({})) model->fetchMore({});
        QCOMPARE(model->index(0).data(ui::GalleryModel::PromptRole).toString(), QString("a cat"));
    }
};

QTEST_MAIN(TestLoraList)
#include "test_lora_list.moc"
