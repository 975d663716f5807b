#include "ui/queue_panel.h"

#include "core/pipeline/request.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace lumina {
namespace ui {

QueuePanel::QueuePanel(gallery::GalleryStore* store, QWidget* parent)
    : QWidget(parent)
    , m_store(store) {
    setObjectName("QueuePanel");
    m_list = new QListWidget(this);
    m_list->setObjectName("queueList");
    m_list->setAccessibleName(tr("Job queue"));
    m_list->setTextElideMode(Qt::ElideRight);
    m_list->setUniformItemSizes(true);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // long prompts are elided, not scrolled
    m_run = new QPushButton(tr("Run queue"), this);
    m_run->setObjectName("runQueueButton");
    m_remove = new QToolButton(this);
    m_remove->setObjectName("removeJobButton");
    m_remove->setText(tr("Remove"));
    m_up = new QToolButton(this);
    m_up->setObjectName("moveJobUpButton");
    m_up->setText(tr("Up"));
    m_up->setToolTip(tr("Run earlier (Ctrl+Up)"));
    m_down = new QToolButton(this);
    m_down->setObjectName("moveJobDownButton");
    m_down->setText(tr("Down"));
    m_down->setToolTip(tr("Run later (Ctrl+Down)"));
    m_summary = new QLabel(this);
    m_summary->setObjectName("hint");
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_run);
    buttons->addWidget(m_remove);
    buttons->addWidget(m_up);
    buttons->addWidget(m_down);
    buttons->addStretch(1);
    buttons->addWidget(m_summary);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);

    auto addKey = [this](const QKeySequence& key, auto slot) {
        auto* a = new QAction(m_list);
        a->setShortcut(key);
        a->setShortcutContext(Qt::WidgetShortcut);
        connect(a, &QAction::triggered, this, slot);
        m_list->addAction(a);
    };
    addKey(QKeySequence::Delete, &QueuePanel::removeSelected);
    addKey(QKeySequence(Qt::CTRL | Qt::Key_Up), [this] { moveSelected(-1); });
    addKey(QKeySequence(Qt::CTRL | Qt::Key_Down), [this] { moveSelected(+1); });
    connect(m_remove, &QToolButton::clicked, this, &QueuePanel::removeSelected);
    connect(m_up, &QToolButton::clicked, this, [this] { moveSelected(-1); });
    connect(m_down, &QToolButton::clicked, this, [this] { moveSelected(+1); });
    connect(m_run, &QPushButton::clicked, this,
            [this] { m_running ? emit pauseRequested() : emit runRequested(); });
    refresh();
}

void QueuePanel::setRunning(bool running) {
    m_running = running;
    m_run->setText(running ? tr("Pause queue") : tr("Run queue"));
}

void QueuePanel::refresh() {
    const qint64 selected =
        m_list->currentItem() ? m_list->currentItem()->data(Qt::UserRole).toLongLong() : -1;
    m_list->clear();
    const std::vector<gallery::QueuedJob> jobs =
        m_store ? m_store->jobs() : std::vector<gallery::QueuedJob>{};
    for (const gallery::QueuedJob& job : jobs) {
        QString prompt, size, seed;
        try {
            const pipeline::GenerationRequest r = pipeline::requestFromJson(job.request);
            prompt = QString::fromStdString(r.prompt).simplified();
            size = QStringLiteral("%1×%2").arg(r.width).arg(r.height);
            seed = r.seed ? QString::number(*r.seed) : tr("random");
        } catch (const std::exception&) {
            prompt = tr("(unreadable job)");
        }
        const QString state = job.state == gallery::JobState::Running ? tr("▶ running") : tr("queued");
        auto* item = new QListWidgetItem(tr("%1 · %2 · seed %3 — %4").arg(state, size, seed, prompt), m_list);
        item->setData(Qt::UserRole, QVariant::fromValue<qint64>(job.id));
        item->setData(Qt::UserRole + 1, job.state == gallery::JobState::Running);
        item->setToolTip(prompt);
        if (job.id == selected) m_list->setCurrentItem(item);
    }
    m_summary->setText(tr("%n job(s)", nullptr, int(jobs.size())));
    const bool any = !jobs.empty();
    m_remove->setEnabled(any);
    m_up->setEnabled(any);
    m_down->setEnabled(any);
}

void QueuePanel::removeSelected() {
    QListWidgetItem* item = m_list->currentItem();
    if (!item || !m_store || item->data(Qt::UserRole + 1).toBool()) return; // the running job: use Cancel
    const int row = m_list->row(item);
    m_store->removeJob(item->data(Qt::UserRole).toLongLong());
    refresh();
    if (m_list->count() > 0) m_list->setCurrentRow(std::min(row, m_list->count() - 1));
    emit queueChanged();
}

void QueuePanel::moveSelected(int delta) {
    QListWidgetItem* item = m_list->currentItem();
    if (!item || !m_store) return;
    const int row = m_list->row(item);
    const int target = std::clamp(row + delta, 0, m_list->count() - 1);
    if (target == row) return;
    m_store->moveJob(item->data(Qt::UserRole).toLongLong(), target);
    refresh();
    m_list->setCurrentRow(target);
    emit queueChanged();
}

} // namespace ui
} // namespace lumina
