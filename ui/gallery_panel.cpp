#include "ui/gallery_panel.h"

#include "ui/gallery_model.h"

#include <QAction>
#include <QDesktopServices>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QStyledItemDelegate>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>
#include <QUrl>
#include <QVBoxLayout>

namespace lumina {
namespace ui {
namespace {

constexpr int kCell = 136, kThumb = 124;

// Paints a thumbnail fitted into a fixed cell, a selection frame and a star for favourites. Fixed cell
// sizes (uniformItemSizes) keep scrolling through thousands of items cheap.
class ThumbnailDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QSize sizeHint(const QStyleOptionViewItem&, const QModelIndex&) const override { return {kCell, kCell}; }
    void paint(QPainter* p, const QStyleOptionViewItem& option, const QModelIndex& index) const override {
        p->save();
        p->setRenderHint(QPainter::Antialiasing);
        const QRectF cell = QRectF(option.rect).adjusted(3, 3, -3, -3);
        const bool selected = option.state & QStyle::State_Selected;
        QPainterPath frame;
        frame.addRoundedRect(cell, 5, 5);
        p->fillPath(frame, selected ? QColor(0x34, 0x50, 0x7a) : QColor(0x26, 0x28, 0x2d));
        const QPixmap thumb = index.data(Qt::DecorationRole).value<QPixmap>();
        if (!thumb.isNull()) {
            QSizeF s = thumb.size();
            s.scale(QSizeF(kThumb, kThumb), Qt::KeepAspectRatio);
            const QRectF target(cell.center() - QPointF(s.width() / 2, s.height() / 2), s);
            p->setRenderHint(QPainter::SmoothPixmapTransform);
            p->drawPixmap(target, thumb, thumb.rect());
        }
        if (index.data(GalleryModel::FavouriteRole).toBool()) {
            p->setPen(QColor(0xff, 0xd0, 0x50));
            QFont f = option.font;
            f.setPointSizeF(f.pointSizeF() * 1.3);
            p->setFont(f);
            p->drawText(cell.adjusted(6, 2, -6, -2), Qt::AlignTop | Qt::AlignRight, QStringLiteral("★"));
        }
        if (option.state & QStyle::State_HasFocus) {
            p->setPen(QPen(QColor(0x5b, 0x8d, 0xd6), 2));
            p->drawPath(frame);
        }
        p->restore();
    }
};

// Moving to the trash is undoable; redo moves it again.
class TrashCommand : public QUndoCommand {
public:
    TrashCommand(GalleryPanel* panel, gallery::GalleryStore* store, qint64 id)
        : QUndoCommand(QObject::tr("Move to trash"))
        , m_panel(panel)
        , m_store(store)
        , m_id(id) {}
    void redo() override {
        m_store->moveToTrash(m_id);
        m_panel->model()->removeRowOfId(m_id);
    }
    void undo() override {
        m_store->restoreFromTrash(m_id);
        m_panel->reload();
    }

private:
    GalleryPanel* m_panel;
    gallery::GalleryStore* m_store;
    qint64 m_id;
};

QToolButton* makeButton(QWidget* parent, const QString& name, const QString& text, const QString& tip) {
    auto* b = new QToolButton(parent);
    b->setObjectName(name);
    b->setText(text);
    b->setToolTip(tip);
    b->setAutoRaise(true);
    return b;
}

} // namespace

GalleryPanel::GalleryPanel(gallery::GalleryStore* store, QWidget* parent)
    : QWidget(parent)
    , m_store(store) {
    setObjectName("GalleryPanel");
    m_model = new GalleryModel(store, this);
    m_undo = new QUndoStack(this);

    m_search = new QLineEdit(this);
    m_search->setObjectName("gallerySearch");
    m_search->setPlaceholderText(tr("Search prompts…"));
    m_search->setToolTip(
        tr("Finds the prompt, the negative prompt or the model family (Lumina-Next, Lumina-Image 2.0)"));
    m_search->setClearButtonEnabled(true);
    m_favouritesOnly = makeButton(this, "favouritesOnly", QStringLiteral("★"), tr("Show favourites only"));
    m_favouritesOnly->setCheckable(true);
    m_count = new QLabel(this);
    m_count->setObjectName("hint");
    auto* top = new QHBoxLayout;
    top->addWidget(m_search, 1);
    top->addWidget(m_favouritesOnly);
    top->addWidget(m_count);

    m_view = new QListView(this);
    m_view->setObjectName("galleryView");
    m_view->setViewMode(QListView::IconMode);
    m_view->setUniformItemSizes(true);
    m_view->setResizeMode(QListView::Adjust);
    m_view->setMovement(QListView::Static);
    m_view->setGridSize(QSize(kCell, kCell));
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setItemDelegate(new ThumbnailDelegate(m_view));
    m_view->setModel(m_model);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_view->setAccessibleName(tr("Gallery"));

    m_favourite = makeButton(this, "favouriteButton", tr("Favourite"), tr("Mark or unmark as favourite (F)"));
    m_trash = makeButton(this, "trashButton", tr("Delete"), tr("Move to the trash (Delete); can be undone"));
    m_undoButton = makeButton(this, "undoButton", tr("Undo"), tr("Undo the last delete (Ctrl+Z)"));
    m_useSettings = makeButton(this, "useSettingsButton", tr("Use settings"),
                               tr("Copy this image's settings into the panels"));
    m_newSeed =
        makeButton(this, "newSeedButton", tr("New seed"), tr("Queue the same settings with a new seed"));
    m_openFolder =
        makeButton(this, "openFolderButton", tr("Open folder"), tr("Show the image file in its folder"));
    auto* buttons = new QHBoxLayout;
    for (QToolButton* b : {m_favourite, m_trash, m_undoButton, m_useSettings, m_newSeed, m_openFolder})
        buttons->addWidget(b);
    buttons->addStretch(1);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);
    layout->addLayout(buttons);

    // Keyboard: shortcuts work while the gallery has focus; the same actions fill the context menu.
    auto addAction = [this](const QString& text, const QKeySequence& key, auto slot) {
        auto* a = new QAction(text, m_view);
        a->setShortcut(key);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(a, &QAction::triggered, this, slot);
        m_view->addAction(a);
        return a;
    };
    addAction(tr("Favourite"), QKeySequence(Qt::Key_F), &GalleryPanel::toggleFavourite);
    addAction(tr("Move to trash"), QKeySequence::Delete, &GalleryPanel::trashSelected);
    addAction(tr("Use these settings"), QKeySequence(Qt::Key_U), [this] {
        if (auto* item = current()) emit useSettingsRequested(*item);
    });
    addAction(tr("Same settings, new seed"), QKeySequence(Qt::Key_N), [this] {
        if (auto* item = current()) emit newSeedRequested(*item);
    });
    addAction(tr("Export…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S), [this] {
        if (auto* item = current()) emit exportRequested(*item);
    });
    addAction(tr("Save again"), QKeySequence(), [this] {
        if (auto* item = current()) emit saveAgainRequested(*item);
    });
    for (int factor : {2, 3, 4})
        addAction(tr("Refine ×%1…").arg(factor), QKeySequence(), [this, factor] { refineCurrent(factor); });
    addAction(tr("Open containing folder"), QKeySequence(), &GalleryPanel::openFolder);
    QAction* undo = m_undo->createUndoAction(this, tr("Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_view->addAction(undo);

    m_searchDebounce = new QTimer(this);
    m_searchDebounce->setSingleShot(true);
    m_searchDebounce->setInterval(200);
    connect(m_search, &QLineEdit::textChanged, m_searchDebounce, qOverload<>(&QTimer::start));
    connect(m_searchDebounce, &QTimer::timeout, this,
            [this] { m_model->setSearch(m_search->text(), m_favouritesOnly->isChecked()); });
    connect(m_favouritesOnly, &QToolButton::toggled, this,
            [this](bool on) { m_model->setSearch(m_search->text(), on); });
    connect(m_favourite, &QToolButton::clicked, this, &GalleryPanel::toggleFavourite);
    connect(m_trash, &QToolButton::clicked, this, &GalleryPanel::trashSelected);
    connect(m_undoButton, &QToolButton::clicked, m_undo, &QUndoStack::undo);
    connect(m_undo, &QUndoStack::canUndoChanged, m_undoButton, &QWidget::setEnabled);
    connect(m_useSettings, &QToolButton::clicked, this, [this] {
        if (auto* item = current()) emit useSettingsRequested(*item);
    });
    connect(m_newSeed, &QToolButton::clicked, this, [this] {
        if (auto* item = current()) emit newSeedRequested(*item);
    });
    connect(m_openFolder, &QToolButton::clicked, this, &GalleryPanel::openFolder);
    connect(m_view, &QListView::activated, this, [this](const QModelIndex& index) {
        if (auto* item = m_model->itemAt(index.row())) emit showRequested(*item);
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, &GalleryPanel::updateCount);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &GalleryPanel::updateCount);
    connect(m_model, &QAbstractItemModel::modelReset, this, &GalleryPanel::updateButtons);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& index) {
                updateButtons();
                if (auto* item = m_model->itemAt(index.row())) emit showRequested(*item);
            });
    m_undoButton->setEnabled(false);
    updateButtons();
    updateCount();
}

void GalleryPanel::refineCurrent(int factor) {
    if (auto* item = current()) emit refineRequested(*item, factor);
}

void GalleryPanel::reload() {
    m_model->reload();
}

void GalleryPanel::selectFirst() {
    if (m_model->canFetchMore({})) m_model->fetchMore({});
    if (m_model->rowCount() > 0) m_view->setCurrentIndex(m_model->index(0));
}

const gallery::GalleryItem* GalleryPanel::current() const {
    return m_model->itemAt(m_view->currentIndex().row());
}

void GalleryPanel::updateButtons() {
    const bool has = current() != nullptr;
    for (QToolButton* b : {m_favourite, m_trash, m_useSettings, m_newSeed, m_openFolder})
        b->setEnabled(has);
}

void GalleryPanel::updateCount() {
    m_count->setText(tr("%n image(s)", nullptr, m_model->totalCount()));
}

void GalleryPanel::toggleFavourite() {
    const int row = m_view->currentIndex().row();
    if (const auto* item = m_model->itemAt(row)) m_model->setFavourite(row, !item->favourite);
}

void GalleryPanel::trashSelected() {
    const int row = m_view->currentIndex().row();
    const auto* item = m_model->itemAt(row);
    if (!item) return;
    m_undo->push(new TrashCommand(this, m_store, item->id)); // push() runs redo()
    if (m_model->rowCount() > 0)
        m_view->setCurrentIndex(m_model->index(std::min(row, m_model->rowCount() - 1)));
    updateButtons();
}

void GalleryPanel::openFolder() {
    if (const auto* item = current())
        QDesktopServices::openUrl(
            QUrl::fromLocalFile(QFileInfo(QString::fromStdString(item->imagePath)).absolutePath()));
}

} // namespace ui
} // namespace lumina
