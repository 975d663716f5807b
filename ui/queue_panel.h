#pragma once
// Queue panel: the persisted job queue of the GalleryStore (survives restarts), with run/pause, remove and
// reorder. The window runs the jobs; this panel only shows and edits the queue.
#include "core/gallery/gallery_store.h"

#include <QWidget>

class QLabel;
class QListWidget;
class QPushButton;
class QToolButton;

namespace lumina {
namespace ui {

class QueuePanel : public QWidget {
    Q_OBJECT
public:
    QueuePanel(gallery::GalleryStore* store, QWidget* parent = nullptr);

    QListWidget* list() const { return m_list; }
    void refresh();
    void setRunning(bool running); // shows whether the queue runs or is paused

public slots:
    void removeSelected();
    void moveSelected(int delta);

signals:
    void runRequested();
    void pauseRequested();
    void queueChanged();

private:
    gallery::GalleryStore* m_store;
    QListWidget* m_list;
    QPushButton* m_run;
    QToolButton* m_remove;
    QToolButton* m_up;
    QToolButton* m_down;
    QLabel* m_summary;
    bool m_running = false;
};

} // namespace ui
} // namespace lumina
