#pragma once
// A pipeline download in the background (core/hub/downloader.h on its own thread) for the first-run screen
// and the Model Manager. Progress and the outcome come back to the UI thread as signals. The download in
// progress is remembered in QSettings ("hub/pending*") until it completes, so that a download the user closed
// the app on is offered again on the next start (the core keeps its bytes for resume).
#include "core/util/cancel_token.h"

#include <QObject>
#include <QString>
#include <atomic>
#include <thread>

namespace lumina {
namespace ui {

struct PendingDownload {
    QString repoId;
    QString revision;
    QString cacheDir;
    bool valid() const { return !repoId.isEmpty(); }
};

class DownloadTask : public QObject {
    Q_OBJECT
public:
    explicit DownloadTask(QObject* parent = nullptr);
    ~DownloadTask() override; // cancels and waits; the partial data stays for the next run

    // Starts unless one is running (then false). cacheDir empty: the Hugging Face cache in use.
    bool start(const QString& repoId, const QString& revision = QStringLiteral("main"),
               const QString& cacheDir = {});
    void cancel();
    bool running() const { return m_running; }
    QString repoId() const { return m_repoId; }

    static PendingDownload pending();
    static void clearPending();
    // The cache folder downloads go to when none is given ($HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/...).
    static QString defaultCacheDir();

signals:
    void planned(qint64 totalBytes, qint64 cachedBytes, qint64 toFetchBytes, const QString& cacheDir);
    void progress(qint64 doneBytes, qint64 totalBytes, double bytesPerSecond, double etaSeconds,
                  const QString& currentFile);
    // ok: complete; cancelled: stopped on request (resumable). snapshot: the folder to load.
    void finished(bool ok, bool cancelled, const QString& message, const QString& snapshot);

private:
    void join();
    CancelToken m_cancel;
    std::thread m_thread;
    std::atomic<bool> m_running{false};
    QString m_repoId;
};

} // namespace ui
} // namespace lumina
