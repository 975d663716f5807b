#pragma once
// Gallery panel: a thumbnail grid over GalleryModel with search, favourites, delete-to-trash with undo,
// "use these settings", "same settings, new seed", "refine ×2/×3/×4" and "open folder".
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
    void refineCurrent(int factor); // emits refineRequested for the current item, if any

signals:
    void useSettingsRequested(const lumina::gallery::GalleryItem& item);
    void newSeedRequested(const lumina::gallery::GalleryItem& item);
    void showRequested(const lumina::gallery::GalleryItem& item);
    void refineRequested(const lumina::gallery::GalleryItem& item, int factor);
    void exportRequested(const lumina::gallery::GalleryItem& item);
    void saveAgainRequested(const lumina::gallery::GalleryItem& item);

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
