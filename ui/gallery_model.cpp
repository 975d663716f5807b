#include "ui/gallery_model.h"

#include "core/pipeline/request.h"

#include <QDateTime>
#include <QFileInfo>
#include <QLocale>
#include <QStringList>

namespace lumina {
namespace ui {

QString GalleryModel::modelLine(const gallery::GalleryItem& item) {
    pipeline::GenerationRequest r;
    try {
        r = pipeline::requestFromJson(item.settings); // the settings read-back of "use these settings"
    } catch (const std::exception&) {
        return {}; // settings this build cannot read: the tooltip shows the rest
    }
    QString line = QString::fromStdString(displayName(r.family));
    if (!item.model.empty()) line += QStringLiteral(" · ") + QString::fromStdString(item.model);
    QStringList loras;
    for (const pipeline::LoraChoice& lora : r.loras)
        loras << tr("%1 × %2")
                     .arg(QFileInfo(QString::fromStdString(lora.path)).fileName())
                     .arg(QLocale().toString(lora.scale, 'g', 4));
    if (!loras.isEmpty()) line += "\n" + tr("LoRAs: %1").arg(loras.join(QStringLiteral(", ")));
    return line;
}

GalleryModel::GalleryModel(gallery::GalleryStore* store, QObject* parent)
    : QAbstractListModel(parent)
    , m_store(store) {
    reload();
}

void GalleryModel::setSearch(const QString& text, bool favouritesOnly) {
    m_query.text = text.trimmed().toStdString();
    m_query.favouritesOnly = favouritesOnly;
    reload();
}

void GalleryModel::reload() {
    beginResetModel();
    m_items.clear();
    m_query.offset = 0;
    m_total = m_store ? m_store->count(m_query) : 0;
    // Listeners of modelReset (views, QAbstractItemModelTester) may ask for more rows while the reset is
    // still being announced; rows inserted then would nest inside the reset. They get them a moment later
    // instead.
    m_resetting = true;
    endResetModel();
    m_resetting = false;
}

const gallery::GalleryItem* GalleryModel::itemAt(int row) const {
    return row >= 0 && row < int(m_items.size()) ? &m_items[std::size_t(row)] : nullptr;
}

int GalleryModel::rowOfId(qint64 id) const {
    for (std::size_t i = 0; i < m_items.size(); ++i)
        if (m_items[i].id == id) return int(i);
    return -1;
}

void GalleryModel::setFavourite(int row, bool favourite) {
    if (!itemAt(row)) return;
    m_store->setFavourite(m_items[std::size_t(row)].id, favourite);
    m_items[std::size_t(row)].favourite = favourite;
    emit dataChanged(index(row), index(row), {FavouriteRole});
}

void GalleryModel::removeRowOfId(qint64 id) {
    const int row = rowOfId(id);
    if (row < 0) return;
    beginRemoveRows({}, row, row);
    m_items.erase(m_items.begin() + row);
    --m_total;
    endRemoveRows();
}

int GalleryModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_items.size());
}

QVariant GalleryModel::data(const QModelIndex& index, int role) const {
    const gallery::GalleryItem* item =
        index.isValid() && !index.parent().isValid() ? itemAt(index.row()) : nullptr;
    if (!item) return {};
    switch (role) {
    case Qt::DisplayRole:
    case PromptRole:
        return QString::fromStdString(item->prompt);
    case Qt::ToolTipRole: {
        QString tip = tr("%1\n%2 × %3 · seed %4 · %5")
                          .arg(QString::fromStdString(item->prompt).left(300))
                          .arg(item->width)
                          .arg(item->height)
                          .arg(item->seed)
                          .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(item->createdAtMs),
                                                  QLocale::ShortFormat));
        if (const QString model = modelLine(*item); !model.isEmpty()) tip += "\n" + model;
        if (item->sourceId) tip += "\n" + tr("Refined from item %1").arg(*item->sourceId);
        return tip;
    }
    case Qt::DecorationRole: {
        if (QPixmap* cached = m_thumbnails.object(item->id)) return *cached;
        auto* pixmap = new QPixmap;
        if (!item->thumbnailPng.empty())
            pixmap->loadFromData(item->thumbnailPng.data(), uint(item->thumbnailPng.size()), "PNG");
        const QPixmap copy = *pixmap;
        m_thumbnails.insert(item->id, pixmap);
        return copy;
    }
    case IdRole:
        return QVariant::fromValue<qint64>(item->id);
    case FavouriteRole:
        return item->favourite;
    case PathRole:
        return QString::fromStdString(item->imagePath);
    case SizeRole:
        return QSize(item->width, item->height);
    default:
        return {};
    }
}

bool GalleryModel::canFetchMore(const QModelIndex& parent) const {
    return !parent.isValid() && !m_resetting && !m_fetching && m_store && int64_t(m_items.size()) < m_total;
}

void GalleryModel::fetchMore(const QModelIndex& parent) {
    if (!canFetchMore(parent)) return;
    gallery::GalleryQuery q = m_query;
    q.offset = int64_t(m_items.size());
    q.limit = kPageSize;
    std::vector<gallery::GalleryItem> page = m_store->items(q);
    if (page.empty()) { // the database shrank underneath us: stop asking
        m_total = int64_t(m_items.size());
        return;
    }
    // Listeners may call fetchMore() again from inside the insertion signals: not until these rows are in.
    m_fetching = true;
    beginInsertRows({}, int(m_items.size()), int(m_items.size() + page.size()) - 1);
    for (auto& item : page)
        m_items.push_back(std::move(item));
    endInsertRows();
    m_fetching = false;
}

} // namespace ui
} // namespace lumina
