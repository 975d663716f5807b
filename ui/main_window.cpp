#include "ui/main_window.h"

#include "core/util/version.h"

#include <QApplication>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>

namespace lumina::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setObjectName("MainWindow");
    setWindowTitle(tr("Lumina Studio"));
    resize(1280, 800);
    auto* canvas = new QLabel(tr("Open a Lumina-Next model to start (File \u2192 Open Model)"), this);
    canvas->setObjectName("canvasPlaceholder");
    canvas->setAlignment(Qt::AlignCenter);
    setCentralWidget(canvas);
    createMenus();
    statusBar()->showMessage(tr("No model loaded"));
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setObjectName("actionQuit");
    quit->setShortcut(QKeySequence::Quit);
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* about = help->addAction(tr("&About Lumina Studio"), this, &MainWindow::showAbout);
    about->setObjectName("actionAbout");
}

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About Lumina Studio"),
                       tr("<b>Lumina Studio</b> %1<br>Local text-to-image generation with Lumina-Next.<br>"
                          "LibTorch %2 · CUDA: %3 · MPS: %4")
                           .arg(QString::fromStdString(appVersion()), QString::fromStdString(torchVersion()),
                                cudaAvailable() ? tr("yes") : tr("no"), mpsAvailable() ? tr("yes") : tr("no")));
}

} // namespace lumina::ui
