#pragma once
// Installs the UI translation (embedded .qm under :/i18n) and Qt's own translation for a language.
#include <QLocale>
#include <QString>

class QCoreApplication;

namespace lumina {
namespace ui {

bool installTranslation(QCoreApplication& app, const QLocale& locale);
// language: "" = the system's, "en" = none, otherwise a locale name such as "zh_CN" or "ja".
bool installTranslation(QCoreApplication& app, const QString& language);

} // namespace ui
} // namespace lumina
