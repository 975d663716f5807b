#pragma once
// Gallery panel: a thumbnail grid over GalleryModel with search, favourites, delete-to-trash with undo,
// "use these settings", "same settings, new seed" and "open folder".
#include "core/gallery/gallery_store.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QListView;
class QTimer;
class QToolButton;
class QUndoStack;

namespace lumina {
namespace ui {

class GalleryModel;

class GalleryPanel : public QWidget {
    Q_OBJECT
public:
    GalleryPanel(gallery::GalleryStore* store, QWidget* parent = nullptr);

    GalleryModel* model() const { return m_model; }
    QListView* view() const { return m_view; }
    QUndoStack* undoStack() const { return m_undo; }
    void reload();
    void selectFirst();

public slots:
    void toggleFavourite();
    void trashSelected();
    void openFolder();

signals:
    void useSettingsRequested(const lumina::gallery::GalleryItem& item);
    void newSeedRequested(const lumina::gallery::GalleryItem& item);
    void showRequested(const lumina::gallery::GalleryItem& item);

private:
    const gallery::GalleryItem* current() const;
    void updateButtons();
    void updateCount();

    gallery::GalleryStore* m_store;
    GalleryModel* m_model;
    QListView* m_view;
    QLineEdit* m_search;
    QToolButton* m_favouritesOnly;
    QToolButton* m_favourite;
    QToolButton* m_trash;
    QToolButton* m_undoButton;
    QToolButton* m_useSettings;
    QToolButton* m_newSeed;
    QToolButton* m_openFolder;
    QLabel* m_count;
    QTimer* m_searchDebounce;
    QUndoStack* m_undo;
};

} // namespace ui
} // namespace lumina
