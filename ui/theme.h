#pragma once
// The calm dark theme: Fusion style, a dark palette and a small stylesheet (resources/theme/dark.qss).
class QApplication;

namespace lumina {
namespace ui {

void applyDarkTheme(QApplication& app);

} // namespace ui
} // namespace lumina
