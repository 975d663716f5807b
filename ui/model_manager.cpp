#include "ui/model_manager.h"
#include "core/vocabulary/pipeline_classes.h"

#include "core/hub/downloader.h"
#include "core/hub/hub_cache.h"
#include "ui/download_task.h"
#include "ui/first_run.h"

#include <QCompleter>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMetaObject>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace lumina {
namespace ui {

namespace {
enum Column { ColRepo, ColRevision, ColCommit, ColSize, ColState, ColumnCount };

QString sizeText(qint64 bytes) {
    return QString::fromStdString(hub::formatBytes(static_cast<uint64_t>(bytes)));
}
} // namespace

ModelManagerDialog::ModelManagerDialog(DownloadTask* task, const QString& cacheDir, QWidget* parent)
    : QDialog(parent)
    , m_task(task)
    , m_cacheDir(cacheDir.isEmpty() ? DownloadTask::defaultCacheDir() : cacheDir) {
    setObjectName("ModelManager");
    setWindowTitle(tr("Model Manager"));
    resize(900, 420);
    auto* layout = new QVBoxLayout(this);
    auto* where = new QLabel(
        tr("Models in the Hugging Face cache %1 (shared with diffusers and other tools)").arg(m_cacheDir),
        this);
    where->setWordWrap(true);
    layout->addWidget(where);

    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName("modelTable");
    m_table->setHorizontalHeaderLabels(
        {tr("Repository"), tr("Revision"), tr("Commit"), tr("Size"), tr("State")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(ColRepo, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(ColState, QHeaderView::Stretch);
    m_table->verticalHeader()->hide();
    layout->addWidget(m_table);

    auto* rowButtons = new QHBoxLayout;
    m_resume = new QPushButton(tr("&Resume"), this);
    m_verify = new QPushButton(tr("&Verify"), this);
    m_delete = new QPushButton(tr("&Delete"), this);
    m_default = new QPushButton(tr("Set as &default"), this);
    for (auto* b : {m_resume, m_verify, m_delete, m_default})
        rowButtons->addWidget(b);
    rowButtons->addStretch();
    layout->addLayout(rowButtons);

    auto* downloadRow = new QHBoxLayout;
    m_repo = new QLineEdit(QString::fromLatin1(kDefaultModelRepo), this);
    m_repo->setObjectName("repoEdit");
    QStringList suggestions;
    for (const char* repo : kSuggestedModelRepos)
        suggestions << QString::fromLatin1(repo);
    auto* completer = new QCompleter(suggestions, m_repo);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    m_repo->setCompleter(completer);
    m_repo->setToolTip(tr("A diffusers repository id, e.g. %1").arg(suggestions.join(tr(" or "))));
    m_download = new QPushButton(tr("Do&wnload"), this);
    m_cancel = new QPushButton(tr("&Cancel download"), this);
    downloadRow->addWidget(new QLabel(tr("Repository:"), this));
    downloadRow->addWidget(m_repo, 1);
    downloadRow->addWidget(m_download);
    downloadRow->addWidget(m_cancel);
    layout->addLayout(downloadRow);

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    layout->addWidget(m_progress);
    m_status = new QLabel(this);
    m_status->setObjectName("statusLabel");
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    connect(m_download, &QPushButton::clicked, this, &ModelManagerDialog::downloadRepo);
    connect(m_resume, &QPushButton::clicked, this, &ModelManagerDialog::resumeSelected);
    connect(m_cancel, &QPushButton::clicked, this, &ModelManagerDialog::cancelDownload);
    connect(m_verify, &QPushButton::clicked, this, &ModelManagerDialog::verifySelected);
    connect(m_delete, &QPushButton::clicked, this, [this] { deleteSelected(true); });
    connect(m_default, &QPushButton::clicked, this, &ModelManagerDialog::setSelectedAsDefault);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &ModelManagerDialog::updateButtons);

    connect(m_task, &DownloadTask::planned, this,
            [this](qint64 total, qint64 cached, qint64 toFetch, const QString& dir) {
                m_status->setText(
                    tr("%1: %2 in total, %3 already in the cache, %4 to download into %5")
                        .arg(m_task->repoId(), sizeText(total), sizeText(cached), sizeText(toFetch), dir));
            });
    connect(m_task, &DownloadTask::progress, this,
            [this](qint64 done, qint64 total, double rate, double eta, const QString& file) {
                m_progress->setValue(total > 0 ? static_cast<int>(1000.0 * done / total) : 1000);
                const QString etaText = eta < 0 ? tr("unknown") : tr("%1 s").arg(static_cast<int>(eta));
                m_status->setText(tr("Downloading %1: %2 of %3, %4/s, %5 left — %6")
                                      .arg(m_task->repoId(), sizeText(done), sizeText(total),
                                           sizeText(static_cast<qint64>(rate)), etaText, file));
            });
    connect(m_task, &DownloadTask::finished, this,
            [this](bool ok, bool cancelled, const QString& message, const QString&) {
                if (ok) {
                    m_progress->setValue(1000);
                    m_status->setText(tr("%1 is complete and verified.").arg(m_task->repoId()));
                } else if (cancelled) {
                    m_status->setText(tr("Download paused. Resume continues where it stopped."));
                } else {
                    m_status->setText(tr("Download failed: %1").arg(message));
                }
                refresh();
            });
    refresh();
}

ModelManagerDialog::~ModelManagerDialog() {
    if (m_verifyThread.joinable()) m_verifyThread.join();
}

void ModelManagerDialog::refresh() {
    const auto found = hub::scanPipelines(m_cacheDir.toStdString(), luminaPipelineClasses());
    m_table->setRowCount(0);
    for (const auto& s : found) {
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        QString state = s.complete ? tr("Complete") : tr("Incomplete");
        if (m_task->running() && m_task->repoId().toStdString() == s.repoId) state = tr("Downloading…");
        const QStringList cells{QString::fromStdString(s.repoId),
                                s.refs.empty() ? QStringLiteral("-") : QString::fromStdString(s.refs.front()),
                                QString::fromStdString(s.commit.substr(0, 12)),
                                sizeText(static_cast<qint64>(s.sizeOnDisk)), state};
        for (int c = 0; c < ColumnCount; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (c == ColRepo) item->setData(Qt::UserRole, QString::fromStdString(s.path.string()));
            if (c == ColState && !s.complete) {
                QStringList missing;
                for (const auto& m : s.missing)
                    missing << QString::fromStdString(m);
                item->setToolTip(missing.join('\n'));
            }
            m_table->setItem(row, c, item);
        }
    }
    if (m_table->rowCount() > 0 && selectedRow() < 0) m_table->selectRow(0);
    updateButtons();
}

int ModelManagerDialog::selectedRow() const {
    const auto rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : rows.first().row();
}

QString ModelManagerDialog::rowRepo(int row) const {
    return m_table->item(row, ColRepo)->text();
}

QString ModelManagerDialog::rowPath(int row) const {
    return m_table->item(row, ColRepo)->data(Qt::UserRole).toString();
}

void ModelManagerDialog::updateButtons() {
    const int row = selectedRow();
    const bool busy = m_task->running();
    const bool complete = row >= 0 && m_table->item(row, ColState)->text() == tr("Complete");
    m_download->setEnabled(!busy);
    m_cancel->setEnabled(busy);
    m_resume->setEnabled(row >= 0 && !busy && !complete);
    m_verify->setEnabled(row >= 0 && !m_verifying);
    m_delete->setEnabled(row >= 0 && !(busy && m_task->repoId() == rowRepo(row)));
    m_default->setEnabled(row >= 0 && complete);
}

void ModelManagerDialog::downloadRepo() {
    const QString repo = m_repo->text().trimmed();
    if (repo.isEmpty()) return;
    if (m_task->start(repo, QStringLiteral("main"), m_cacheDir)) {
        m_status->setText(tr("Asking the Hub about %1…").arg(repo));
        m_progress->setValue(0);
    }
    updateButtons();
}

void ModelManagerDialog::resumeSelected() {
    const int row = selectedRow();
    if (row < 0) return;
    const QString revision = m_table->item(row, ColRevision)->text();
    m_task->start(rowRepo(row), revision == "-" ? QStringLiteral("main") : revision, m_cacheDir);
    updateButtons();
}

void ModelManagerDialog::cancelDownload() {
    m_task->cancel();
}

void ModelManagerDialog::verifySelected() {
    const int row = selectedRow();
    if (row < 0 || m_verifying) return;
    if (m_verifyThread.joinable()) m_verifyThread.join();
    m_verifying = true;
    updateButtons();
    const QString repo = rowRepo(row);
    const std::string path = rowPath(row).toStdString();
    m_status->setText(tr("Verifying %1…").arg(repo));
    m_verifyThread = std::thread([this, repo, path] {
        QStringList bad;
        try {
            for (const auto& b : hub::verifySnapshot(path, nullptr))
                bad << QString::fromStdString(b);
        } catch (const std::exception& e) {
            bad << QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            this,
            [this, repo, bad] {
                m_verifying = false;
                m_status->setText(
                    bad.isEmpty()
                        ? tr("%1: every file matches its hash.").arg(repo)
                        : tr("%1: damaged files: %2. Delete and download again.").arg(repo, bad.join(", ")));
                updateButtons();
                emit verified(repo, bad);
            },
            Qt::QueuedConnection);
    });
}

void ModelManagerDialog::deleteSelected(bool confirm) {
    const int row = selectedRow();
    if (row < 0) return;
    const QString repo = rowRepo(row);
    if (confirm &&
        QMessageBox::question(
            this, tr("Delete model"),
            tr("Delete %1 (every revision and partial download) from the cache %2?").arg(repo, m_cacheDir)) !=
            QMessageBox::Yes)
        return;
    try {
        hub::deleteCachedRepo(m_cacheDir.toStdString(), repo.toStdString());
        if (DownloadTask::pending().repoId == repo) DownloadTask::clearPending();
        m_status->setText(tr("%1 was deleted.").arg(repo));
    } catch (const std::exception& e) {
        m_status->setText(tr("Could not delete %1: %2").arg(repo, QString::fromStdString(e.what())));
    }
    refresh();
}

void ModelManagerDialog::setSelectedAsDefault() {
    const int row = selectedRow();
    if (row < 0) return;
    // A repo id finds the newest snapshot in the default cache; a model in another cache is opened by path.
    emit modelChosen(m_cacheDir == DownloadTask::defaultCacheDir() ? rowRepo(row) : rowPath(row));
}

} // namespace ui
} // namespace lumina
