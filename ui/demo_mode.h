#pragma once
// Demo mode (`lumina-studio --demo`) and window screenshots for the documentation: a DemoEngine, a throw-away
// gallery with procedural pictures, and a helper that brings the window into a state and renders it.
#include "core/engine/generation_engine.h"
#include "ui/main_window.h"

#include <QString>
#include <functional>
#include <memory>

namespace lumina {
namespace ui {

// Window options over `folder` (database, images); with fillGallery, 36 demo pictures are in the gallery and
// the demo model loads at start.
MainWindowOptions prepareDemo(const QString& folder, bool fillGallery);
// The demo model presents `family` (the Lumina 2 screenshot shows that family's controls).
std::unique_ptr<engine::GenerationEngine> makeDemoEngine(ModelFamily family = ModelFamily::LuminaNext);

// state: "empty" (as started), "running" (a generation halfway) or "gallery" (first gallery item shown; any
// other state shows the gallery too).
// Renders the window into file once the state is reached; done(ok) is called afterwards.
void scheduleScreenshot(MainWindow& window, const QString& file, const QString& state,
                        std::function<void(bool)> done);

} // namespace ui
} // namespace lumina
