#include "ui/translations.h"

#include <QCoreApplication>
#include <QTranslator>

namespace lumina::ui {

bool installTranslation(QCoreApplication& app, const QLocale& locale) {
    auto* translator = new QTranslator(&app);
    if (translator->load(locale, "lumina", "_", ":/i18n")) {
        QCoreApplication::installTranslator(translator);
        return true;
    }
    delete translator;
    return false;
}

} // namespace lumina::ui
