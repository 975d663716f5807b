#pragma once
// Shared set-up for the GUI tests: settings and paths in a temporary folder, a window on a temporary
// database.
#include "ui/engine_bridge.h"
#include "ui/main_window.h"
#include "ui/prompt_panel.h"
#include "ui/settings_panel.h"

#include <QComboBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>

namespace lumina::test {

// Call from initTestCase(): nothing a test does may touch the user's settings or folders.
inline void isolateSettings(const QTemporaryDir& dir) {
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.filePath("settings"));
    qputenv("LUMINA_DATA_DIR", dir.filePath("data").toUtf8());
}

inline ui::MainWindowOptions windowOptions(const QTemporaryDir& dir, const QString& db = "gallery.sqlite") {
    ui::MainWindowOptions o;
    o.databaseFile = dir.filePath(db).toStdString();
    o.outputFolder = dir.filePath("images");
    o.persistLayout = false;
    return o;
}

inline bool loadDemoModel(ui::MainWindow& w) {
    QSignalSpy loaded(w.bridge(), &ui::EngineBridge::modelLoaded);
    w.loadModel("demo");
    return loaded.wait(5000);
}

// Small, quick runs: steps and size as given.
inline void setRun(ui::MainWindow& w, int steps, int width = 256, int height = 256) {
    w.findChild<QSpinBox*>("stepsSpin")->setValue(steps);
    w.settingsPanel()->setSize(width, height);
}

} // namespace lumina::test
