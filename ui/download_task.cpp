#include "ui/download_task.h"
#include "core/util/app_paths.h"

#include "core/hub/downloader.h"
#include "core/util/errors.h"

#include <QMetaObject>
#include <QSettings>
#include <QThread>

namespace lumina {
namespace ui {

DownloadTask::DownloadTask(QObject* parent)
    : QObject(parent) {}

DownloadTask::~DownloadTask() {
    cancel();
    join();
}

void DownloadTask::join() {
    if (m_thread.joinable()) m_thread.join();
}

QString DownloadTask::defaultCacheDir() {
    return QString::fromStdString(lumina::huggingFaceHubCache().string());
}

PendingDownload DownloadTask::pending() {
    QSettings s;
    return {s.value("hub/pendingRepo").toString(), s.value("hub/pendingRevision", "main").toString(),
            s.value("hub/pendingCache").toString()};
}

void DownloadTask::clearPending() {
    QSettings s;
    s.remove("hub/pendingRepo");
    s.remove("hub/pendingRevision");
    s.remove("hub/pendingCache");
}

bool DownloadTask::start(const QString& repoId, const QString& revision, const QString& cacheDir) {
    if (m_running) return false;
    join();
    m_cancel.reset();
    m_running = true;
    m_repoId = repoId;
    hub::HubConfig config = hub::HubConfig::fromEnvironment();
    if (!cacheDir.isEmpty()) config.cacheDir = cacheDir.toStdString();
    {
        QSettings s;
        s.setValue("hub/pendingRepo", repoId);
        s.setValue("hub/pendingRevision", revision);
        s.setValue("hub/pendingCache", QString::fromStdString(config.cacheDir.string()));
    }
    const std::string repo = repoId.toStdString(), rev = revision.toStdString();
    m_thread = std::thread([this, config, repo, rev] {
        bool ok = false, cancelled = false;
        QString message, snapshot;
        try {
            hub::HubDownloader downloader(config, &m_cancel);
            const auto plan = downloader.plan(repo, rev);
            QMetaObject::invokeMethod(
                this,
                [this, plan] {
                    emit planned(static_cast<qint64>(plan.totalBytes), static_cast<qint64>(plan.cachedBytes),
                                 static_cast<qint64>(plan.bytesToFetch()),
                                 QString::fromStdString(plan.cacheDir.string()));
                },
                Qt::QueuedConnection);
            const auto result = downloader.download(plan, [this](const hub::DownloadProgress& p) {
                QString current;
                for (const auto& f : p.files)
                    if (f.state == hub::FileState::Downloading || f.state == hub::FileState::Verifying) {
                        current = QString::fromStdString(f.path);
                        break;
                    }
                QMetaObject::invokeMethod(
                    this,
                    [this, p, current] {
                        emit progress(static_cast<qint64>(p.doneBytes), static_cast<qint64>(p.totalBytes),
                                      p.bytesPerSecond, p.etaSeconds, current);
                    },
                    Qt::QueuedConnection);
            });
            ok = true;
            snapshot = QString::fromStdString(result.snapshotDir.string());
        } catch (const Cancelled&) {
            cancelled = true;
        } catch (const std::exception& e) {
            message = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            this,
            [this, ok, cancelled, message, snapshot] {
                m_running = false;
                if (ok) clearPending();
                emit finished(ok, cancelled, message, snapshot);
            },
            Qt::QueuedConnection);
    });
    return true;
}

void DownloadTask::cancel() {
    m_cancel.request(CancelMode::StopNow);
}

} // namespace ui
} // namespace lumina
