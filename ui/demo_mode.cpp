#include "ui/demo_mode.h"

#include "ui/demo_content.h"
#include "ui/demo_engine.h"
#include "ui/engine_bridge.h"
#include "ui/gallery_panel.h"
#include "ui/prompt_panel.h"
#include "ui/settings_panel.h"

#include <QApplication>
#include <QDir>
#include <QTimer>

namespace lumina {
namespace ui {

MainWindowOptions prepareDemo(const QString& folder, bool fillGallery) {
    MainWindowOptions options;
    options.databaseFile = QDir(folder).filePath("gallery.sqlite").toStdString();
    options.outputFolder = QDir(folder).filePath("images");
    options.persistLayout = false;
    if (fillGallery) {
        gallery::GalleryStore store(options.databaseFile);
        fillDemoGallery(store, 36, options.outputFolder);
        options.modelToLoad = "demo";
    }
    return options;
}

std::unique_ptr<engine::GenerationEngine> makeDemoEngine(ModelFamily family) {
    DemoEngineOptions o;
    o.family = family;
    o.evaluationMs = 45;
    o.evaluationsPerStep = 2;
    o.previewEdge = 96;
    o.loadChunkMs = 40;
    return std::make_unique<DemoEngine>(o);
}

void scheduleScreenshot(MainWindow& w, const QString& file, const QString& state,
                        std::function<void(bool)> done) {
    auto shoot = [&w, file, done] {
        QTimer::singleShot(400, &w, [&w, file, done] { done(w.grab().save(file, "PNG")); });
    };
    if (state == "empty") {
        shoot();
        return;
    }
    QObject::connect(w.bridge(), &EngineBridge::modelLoaded, &w, [&w, state, shoot] {
        if (state == "running") {
            w.promptPanel()->setPrompt(QApplication::translate(
                "main",
                "A wide valley at golden hour, layered mountains fading into haze, soft painterly light"));
            w.settingsPanel()->setSize(1216, 832);
            QObject::connect(w.bridge(), &EngineBridge::progress, &w, [shoot](qint64, int step, int) {
                if (step == 14) shoot();
            });
            w.generate();
        } else {
            w.galleryPanel()->selectFirst();
            shoot();
        }
    });
}

} // namespace ui
} // namespace lumina
