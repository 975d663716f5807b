// lumina-studio: the desktop application. Parses arguments, sets up logging and translations, opens the window.
#include "core/util/app_paths.h"
#include "core/util/log.h"
#include "core/util/version.h"
#include "ui/main_window.h"
#include "ui/translations.h"

#include <QApplication>
#include <QCommandLineParser>
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
    lumina::ui::installTranslation(app, QLocale::system());

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "Local text-to-image generation with Lumina-Next"));
    parser.addHelpOption();
    QCommandLineOption verbose("verbose", QApplication::translate("main", "Log debug messages to the console."));
    QCommandLineOption model("model", QApplication::translate("main", "Model folder or Hugging Face repo id."),
                             QApplication::translate("main", "DIR|REPO_ID"));
    QCommandLineOption quitAfter("quit-after-ms", QApplication::translate("main", "Quit after a delay (for tests)."),
                                 "ms");
    parser.addOptions({verbose, model, quitAfter});
    parser.addVersionOption();
    parser.process(app);

    lumina::log::initialize("lumina-studio", lumina::logDirectory().string(),
                            parser.isSet(verbose) ? lumina::log::Level::Debug : lumina::log::Level::Warn);
    lumina::ui::MainWindow window;
    window.show();
    if (parser.isSet(quitAfter)) {
        QTimer::singleShot(parser.value(quitAfter).toInt(), &app, &QApplication::quit);
    }
    return QApplication::exec();
}
