#include "ui/first_run.h"

#include "core/hub/downloader.h"
#include "ui/download_task.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace lumina {
namespace ui {

FirstRunDialog::FirstRunDialog(DownloadTask* task, const QString& cacheDir, QWidget* parent)
    : QDialog(parent)
    , m_task(task)
    , m_cacheDir(cacheDir.isEmpty() ? DownloadTask::defaultCacheDir() : cacheDir) {
    setObjectName("FirstRun");
    setWindowTitle(tr("Welcome to Lumina Studio"));
    auto* layout = new QVBoxLayout(this);
    auto* title = new QLabel(
        tr("<h2>No model yet</h2>Lumina Studio needs the Lumina-Next model to make pictures."), this);
    title->setWordWrap(true);
    layout->addWidget(title);

    m_download = new QPushButton(
        tr("Download Lumina-Next-SFT (about %1 GB)").arg(kDefaultModelGigabytes, 0, 'f', 1), this);
    m_download->setObjectName("downloadButton");
    m_download->setDefault(true);
    layout->addWidget(m_download);
    auto* where =
        new QLabel(tr("Into %1, the Hugging Face cache that diffusers and other tools share. It can be "
                      "paused and continues where it stopped, even after closing the app.")
                       .arg(m_cacheDir),
                   this);
    where->setWordWrap(true);
    layout->addWidget(where);

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setVisible(false);
    layout->addWidget(m_progress);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    auto* row = new QHBoxLayout;
    m_cancel = new QPushButton(tr("&Pause download"), this);
    m_cancel->setEnabled(false);
    m_open = new QPushButton(tr("&Open a model folder…"), this);
    m_demo = new QPushButton(tr("Try the &demo"), this);
    row->addWidget(m_cancel);
    row->addStretch();
    row->addWidget(m_open);
    row->addWidget(m_demo);
    layout->addLayout(row);

    connect(m_download, &QPushButton::clicked, this, [this] {
        if (m_task->start(kDefaultModelRepo, QStringLiteral("main"), m_cacheDir)) {
            m_download->setEnabled(false);
            m_cancel->setEnabled(true);
            m_progress->setVisible(true);
            m_status->setText(tr("Asking the Hub for the file list…"));
        }
    });
    connect(m_cancel, &QPushButton::clicked, m_task, &DownloadTask::cancel);
    connect(m_open, &QPushButton::clicked, this, [this] {
        emit openFolderRequested();
        accept();
    });
    connect(m_demo, &QPushButton::clicked, this, [this] {
        emit demoRequested();
        accept();
    });
    connect(m_task, &DownloadTask::planned, this,
            [this](qint64 total, qint64 cached, qint64 toFetch, const QString&) {
                m_status->setText(
                    tr("%1 to download (%2 of %3 already in the cache)")
                        .arg(QString::fromStdString(hub::formatBytes(static_cast<uint64_t>(toFetch))),
                             QString::fromStdString(hub::formatBytes(static_cast<uint64_t>(cached))),
                             QString::fromStdString(hub::formatBytes(static_cast<uint64_t>(total)))));
            });
    connect(m_task, &DownloadTask::progress, this,
            [this](qint64 done, qint64 total, double rate, double eta, const QString&) {
                m_progress->setValue(total > 0 ? static_cast<int>(1000.0 * done / total) : 1000);
                m_status->setText(
                    tr("%1 of %2 at %3/s, about %4 min left")
                        .arg(QString::fromStdString(hub::formatBytes(static_cast<uint64_t>(done))),
                             QString::fromStdString(hub::formatBytes(static_cast<uint64_t>(total))),
                             QString::fromStdString(hub::formatBytes(static_cast<uint64_t>(rate))))
                        .arg(eta < 0 ? QStringLiteral("?") : QString::number(eta / 60.0, 'f', 0)));
            });
    connect(m_task, &DownloadTask::finished, this,
            [this](bool ok, bool cancelled, const QString& message, const QString& snapshot) {
                m_download->setEnabled(true);
                m_cancel->setEnabled(false);
                if (ok) {
                    m_status->setText(tr("Done: the model is verified and ready."));
                    emit modelReady(snapshot);
                    accept();
                } else if (cancelled) {
                    m_download->setText(tr("Resume the download"));
                    m_status->setText(tr("Paused. The bytes fetched so far are kept."));
                } else {
                    m_download->setText(tr("Try again"));
                    m_status->setText(tr("The download failed: %1").arg(message));
                }
            });
}

} // namespace ui
} // namespace lumina
