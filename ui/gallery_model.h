#pragma once
// A paged list model over the GalleryStore: rows arrive a page at a time through canFetchMore()/fetchMore(),
// thumbnails are decoded lazily and cached, so views stay smooth with 10,000+ items.
#include "core/gallery/gallery_store.h"

#include <QAbstractListModel>
#include <QCache>
#include <QPixmap>
#include <vector>

namespace lumina {
namespace ui {

class GalleryModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Roles { IdRole = Qt::UserRole + 1, FavouriteRole, PathRole, PromptRole, SizeRole };

    GalleryModel(gallery::GalleryStore* store, QObject* parent = nullptr);

    void setSearch(const QString& text, bool favouritesOnly);
    void reload(); // re-query from the first page (after items were added or restored)
    int totalCount() const { return int(m_total); }
    const gallery::GalleryItem* itemAt(int row) const;
    int rowOfId(qint64 id) const;
    void setFavourite(int row, bool favourite);
    void removeRowOfId(qint64 id); // after moving an item to the trash
    static constexpr int kPageSize = 200;
    // The tooltip's model lines: family and model name, then the LoRAs with their scales (empty when the
    // settings cannot be read).
    static QString modelLine(const gallery::GalleryItem& item);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;

private:
    gallery::GalleryStore* m_store;
    gallery::GalleryQuery m_query;
    std::vector<gallery::GalleryItem> m_items;
    int64_t m_total = 0;
    bool m_resetting = false;
    bool m_fetching = false;
    mutable QCache<qint64, QPixmap> m_thumbnails{800};
};

} // namespace ui
} // namespace lumina
