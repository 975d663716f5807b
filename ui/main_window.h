#pragma once
// The studio's main window: menus, dockable panels and the central canvas.
#include <QMainWindow>

namespace lumina::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

public slots:
    void showAbout();

private:
    void createMenus();
};

} // namespace lumina::ui
