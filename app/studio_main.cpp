// lumina-studio: the desktop application. Parses arguments, sets up logging, theme and translations, opens
// the window. `--demo` swaps the engine for the DemoEngine (procedural pictures, no model) with a throw-away
// gallery; `--screenshot` renders the window to a PNG (documentation and tests only; see docs/ui.md).
#include "core/engine/lumina_engine.h"
#include "core/util/app_paths.h"
#include "core/util/log.h"
#include "core/util/version.h"
#include "ui/demo_mode.h"
#include "ui/main_window.h"
#include "ui/preferences.h"
#include "ui/theme.h"
#include "ui/translations.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>
#include <cstdio>

int main(int argc, char** argv) {
    // --version must work without a display, so it is answered before QApplication exists.
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]) == "--version") {
            std::fputs(lumina::versionReport("lumina-studio").c_str(), stdout);
            return 0;
        }
    QApplication app(argc, argv);
    QApplication::setApplicationName("Lumina Studio");
    QApplication::setOrganizationName("Lumina Studio");
    QApplication::setApplicationVersion(QString::fromStdString(lumina::appVersion()));

    QCommandLineParser parser;
    parser.setApplicationDescription("Local text-to-image generation with Lumina-Next");
    parser.addHelpOption();
    QCommandLineOption verbose("verbose", "Log debug messages to the console.");
    QCommandLineOption model("model", "Model folder or Hugging Face repo id.", "DIR|REPO_ID");
    QCommandLineOption quitAfter("quit-after-ms", "Quit after a delay (for tests).", "ms");
    QCommandLineOption lang("lang", "Interface language for this run: en, zh_CN or ja.", "code");
    QCommandLineOption demo("demo",
                            "Demo mode: procedural pictures instead of a model, a temporary gallery and "
                            "settings. For trying the interface, documentation and tests.");
    QCommandLineOption screenshot("screenshot", "With --demo: save a picture of the window to FILE and quit.",
                                  "FILE");
    QCommandLineOption screenshotState(
        "screenshot-state", "What the screenshot shows: empty, running or gallery.", "state", "gallery");
    parser.addOptions({verbose, model, quitAfter, lang, demo, screenshot, screenshotState});
    parser.addVersionOption();
    parser.process(app);

    // Demo mode never touches the user's settings, gallery or pictures.
    QTemporaryDir demoDir;
    if (parser.isSet(demo)) {
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, demoDir.filePath("settings"));
    }
    lumina::ui::applyDarkTheme(app);
    const lumina::ui::Preferences prefs = lumina::ui::Preferences::load();
    lumina::ui::installTranslation(app, parser.isSet(lang) ? parser.value(lang) : prefs.language);

    lumina::log::initialize("lumina-studio", lumina::logDirectory().string(),
                            parser.isSet(verbose) ? lumina::log::Level::Debug : lumina::log::Level::Warn);

    lumina::ui::MainWindowOptions options;
    options.modelToLoad = parser.value(model);
    std::unique_ptr<lumina::engine::GenerationEngine> engine;
    const bool demoMode = parser.isSet(demo);
    if (demoMode) {
        engine = lumina::ui::makeDemoEngine();
        const bool empty = parser.isSet(screenshot) && parser.value(screenshotState) == "empty";
        options = lumina::ui::prepareDemo(demoDir.path(), !empty);
    } else {
        engine = std::make_unique<lumina::engine::LuminaEngine>();
        options.offerModelSetup = !parser.isSet(screenshot);
    }
    options.runtimeSummary = QString::fromStdString(lumina::runtimeSummary());
    options.autoDevice = QString::fromStdString(lumina::autoDeviceName());
    lumina::ui::MainWindow window(std::move(engine), options);
    if (parser.isSet(screenshot)) window.resize(1600, 1000);
    window.show();
    if (demoMode && parser.isSet(screenshot))
        lumina::ui::scheduleScreenshot(
            window, parser.value(screenshot), parser.value(screenshotState), [&](bool ok) {
                std::fprintf(ok ? stdout : stderr, "%s %s\n", ok ? "wrote" : "could not write",
                             qPrintable(parser.value(screenshot)));
                QApplication::exit(ok ? 0 : 1);
            });
    if (parser.isSet(quitAfter))
        QTimer::singleShot(parser.value(quitAfter).toInt(), &app, &QApplication::quit);
    return QApplication::exec();
}
