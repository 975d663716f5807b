#include "ui/translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QTranslator>

namespace lumina {
namespace ui {

bool installTranslation(QCoreApplication& app, const QLocale& locale) {
    auto* translator = new QTranslator(&app);
    if (!translator->load(locale, "lumina", "_", ":/i18n")) {
        delete translator;
        return false;
    }
    QCoreApplication::installTranslator(translator);
    // Qt's own strings (standard buttons, file dialogs), when the system has them.
    auto* qt = new QTranslator(&app);
    if (qt->load(locale, "qtbase", "_", QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;
    return true;
}

bool installTranslation(QCoreApplication& app, const QString& language) {
    if (language == "en") return false;
    return installTranslation(app, language.isEmpty() ? QLocale::system() : QLocale(language));
}

} // namespace ui
} // namespace lumina
