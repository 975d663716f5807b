// GalleryModel is a well-behaved paged model (QAbstractItemModelTester), and the gallery panel's search,
// favourites, trash with undo and "use these settings" work through the real widgets.
#include "gui/fake_engine.h"
#include "gui/gui_test_support.h"
#include "ui/gallery_model.h"
#include "ui/gallery_panel.h"

#include <QAbstractItemModelTester>
#include <QLineEdit>
#include <QListView>
#include <QToolButton>
#include <QUndoStack>

using namespace lumina;

namespace {
void addItems(gallery::GalleryStore& store, int count, const std::string& prefix,
              int64_t firstMs = 1'700'000'000'000) {
    for (int i = 0; i < count; ++i) {
        gallery::GalleryItem item;
        item.createdAtMs = firstMs + i;
        item.prompt = prefix + " " + std::to_string(i);
        pipeline::GenerationRequest r;
        r.prompt = item.prompt;
        r.seed = uint64_t(i);
        r.width = 512;
        r.height = 768;
        item.settings = pipeline::toJson(r);
        item.seed = uint64_t(i);
        item.width = 512;
        item.height = 768;
        item.imagePath = "/nonexistent/" + std::to_string(i) + ".png";
        store.addItem(item);
    }
}
} // namespace

class TestGalleryModel : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { test::isolateSettings(m_dir); }

    void modelIsConsistentWhilePaging() {
        QTemporaryDir dir;
        gallery::GalleryStore store(dir.filePath("g.sqlite").toStdString());
        addItems(store, 450, "lighthouse");
        addItems(store, 30, "灯台", 1'800'000'000'000);
        ui::GalleryModel model(&store);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.totalCount(), 480);
        QVERIFY(model.canFetchMore({}));
        model.fetchMore({});
        QCOMPARE(model.rowCount(), ui::GalleryModel::kPageSize);
        // The tester checks every later change (and fetches on its own while checking).
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        while (model.canFetchMore({}))
            model.fetchMore({});
        QCOMPARE(model.rowCount(), 480);
        // Newest first: the CJK items were added last.
        QCOMPARE(model.index(0).data(ui::GalleryModel::PromptRole).toString(), QString::fromUtf8("灯台 29"));
        QVERIFY(model.index(0).data(Qt::ToolTipRole).toString().contains("512 × 768"));
        model.setSearch(QString::fromUtf8("灯台"), false);
        QCOMPARE(model.totalCount(), 30);
        model.fetchMore({});
        QCOMPARE(model.rowCount(), 30);
        model.setFavourite(3, true);
        QVERIFY(model.index(3).data(ui::GalleryModel::FavouriteRole).toBool());
        model.setSearch({}, true);
        QCOMPARE(model.totalCount(), 1);
    }

    void panelTrashUndoAndUseSettings() {
        QTemporaryDir dir;
        ui::MainWindow w(test::makeFakeEngine(1), test::windowOptions(dir));
        addItems(*w.store(), 5, "harbour");
        ui::GalleryPanel* panel = w.galleryPanel();
        panel->reload();
        panel->selectFirst();
        ui::GalleryModel* model = panel->model();
        QCOMPARE(model->rowCount(), 5);
        panel->trashSelected();
        QCOMPARE(model->totalCount(), 4);
        QCOMPARE(w.store()->count({}), 4);
        QVERIFY(panel->undoStack()->canUndo());
        panel->undoStack()->undo();
        QCOMPARE(w.store()->count({}), 5);
        QCOMPARE(model->totalCount(), 5);
        // Search through the box (debounced).
        panel->findChild<QLineEdit*>("gallerySearch")->setText("harbour 3");
        QTRY_COMPARE(model->totalCount(), 1);
        panel->selectFirst();
        QTest::mouseClick(panel->findChild<QToolButton*>("useSettingsButton"), Qt::LeftButton);
        QCOMPARE(w.promptPanel()->prompt(), QString("harbour 3"));
        QCOMPARE(w.findChild<QSpinBox*>("widthSpin")->value(), 512);
        QCOMPARE(w.findChild<QSpinBox*>("heightSpin")->value(), 768);
        QCOMPARE(w.findChild<QLineEdit*>("seedEdit")->text(), QString("3"));
        QVERIFY(w.settingsPanel()->seedMode() == ui::SeedMode::Fixed);
        // "Same settings, new seed" queues one job with the same prompt (no model: it waits).
        QTest::mouseClick(panel->findChild<QToolButton*>("newSeedButton"), Qt::LeftButton);
        QCOMPARE(w.store()->jobs().size(), std::size_t(1));
        QCOMPARE(pipeline::requestFromJson(w.store()->jobs()[0].request).prompt, std::string("harbour 3"));
    }
};

QTEST_MAIN(TestGalleryModel)
#include "test_gallery_model.moc"
