#include "ui/theme.h"

#include <QApplication>
#include <QFile>
#include <QPalette>
#include <QStyleFactory>

// The resources live in the static lumina_ui library: referencing them here makes sure they are linked in.
static void initLuminaResources() {
    Q_INIT_RESOURCE(lumina);
}

namespace lumina {
namespace ui {

void applyDarkTheme(QApplication& app) {
    initLuminaResources();
    app.setStyle(QStyleFactory::create("Fusion"));
    QPalette p;
    const QColor window(0x23, 0x25, 0x29), base(0x1b, 0x1d, 0x20), text(0xdd, 0xdf, 0xe3),
        accent(0x5b, 0x8d, 0xd6);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x80, 0x84, 0x8c));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x2d, 0x30, 0x35));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Highlight, accent);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, accent.lighter(120));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(0x6a, 0x6e, 0x75));
    app.setPalette(p);
    QFile qss(":/theme/dark.qss");
    if (qss.open(QIODevice::ReadOnly)) app.setStyleSheet(QString::fromUtf8(qss.readAll()));
}

} // namespace ui
} // namespace lumina
