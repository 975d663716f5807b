#pragma once
// Installs the UI translation for a locale (embedded .qm under :/i18n); returns false when none fits.
#include <QLocale>

class QCoreApplication;

namespace lumina::ui {

bool installTranslation(QCoreApplication& app, const QLocale& locale);

} // namespace lumina::ui
