#pragma once
// The engine bridge (docs/architecture.md, Threads). EngineBridge lives on the UI thread and is the only way
// the window reaches the engine; it owns two threads: the engine worker (model loading and generation, one at
// a time) and the token counter (so the prompt's token count stays live during a run). Work goes to those
// threads and results come back through Mailboxes (ui/mailbox.h): mutex-protected task queues woken by
// payload-free queued calls, so every hand-off is visible to ThreadSanitizer. On the UI thread the bridge
// re-emits results as Qt signals carrying Qt values (QImage copies, QString). The worker catches every
// exception and turns it into failed(message). Cancellation goes through a shared CancelToken, which the
// engine checks before every model evaluation.
#include "core/engine/generation_engine.h"
#include "core/pipeline/request.h"
#include "core/util/cancel_token.h"

#include <QByteArray>
#include <QImage>
#include <QObject>
#include <QString>
#include <QThread>
#include <atomic>
#include <memory>
#include <vector>

namespace lumina {
namespace ui {

// A finished generation, already written to disk by the worker.
struct GenerationResult {
    qint64 jobId = 0;
    QImage image;            // 8-bit RGB, for display
    QString imagePath;       // the PNG written to the output folder (empty when writing failed)
    QString saveError;       // why it could not be written
    QByteArray thumbnailPng; // for the gallery database
    QByteArray settingsJson; // resolved request plus result facts (seed, timings, device, model)
    quint64 seed = 0;
    bool draft = false;
    double totalMs = 0;
    QString prompt, negativePrompt, device, model;
    int width = 0, height = 0;
    // The final latents, kept with the gallery item so that Export re-decodes the float image later.
    std::vector<int64_t> latentShape;
    std::vector<float> latents;
};

// Export of a gallery item (docs/gallery-and-export.md): its kept latents decoded again by the engine, or,
// for an item without them, its saved picture read back, then written in the format of `file`'s extension
// with the settings embedded.
struct ExportJob {
    QString file;
    QString latentsFile;  // the item's kept latents (missing: use savedImage)
    QString savedImage;   // the picture written when the item was made
    int pngBitDepth = 16; // PNG only; TIFF is 16-bit, EXR half float, JPEG/WebP 8-bit
    int quality = 95;     // JPEG and WebP
    QByteArray settingsJson;
};

class EngineWorker;
class Mailbox;
class TokenCounter;

class EngineBridge : public QObject {
    Q_OBJECT
public:
    // engine may be null (no engine in this build): every request then fails with a clear message.
    explicit EngineBridge(std::unique_ptr<engine::GenerationEngine> engine, QObject* parent = nullptr);
    ~EngineBridge() override; // cancels a running generation, waits for it, stops both threads

    bool hasEngine() const { return m_hasEngine; }
    bool busy() const { return m_busy; }
    bool hasModel() const { return !m_modelName.isEmpty(); }
    QString modelName() const { return m_modelName; }
    QString deviceName() const { return m_device; }
    QString precisionName() const { return m_precision; }
    pipeline::ModelFootprint modelFootprint() const { return m_modelFootprint; }
    // The loaded model's family: every request the studio builds carries it.
    ModelFamily modelFamily() const { return m_modelFamily; }
    // The engine's device memory, asked directly (thread-safe by the engine's contract).
    engine::DeviceMemory deviceMemory() const;

    // Both return false, and emit refused(reason), when the worker is busy (or the bridge is shut down): the
    // caller keeps the request (the window's queue does) instead of losing it without a word.
    bool loadModel(const QString& folder, engine::ModelLoadOptions options);
    bool generate(qint64 jobId, const pipeline::GenerationRequest& request, const QString& outputFolder);
    // Runs on the worker like a generation (refused while one runs); answered by exported().
    bool exportImage(const ExportJob& job);
    // Debounce is the caller's business; only the newest request is answered, older ones are skipped.
    // Answered from the token thread, also while a generation or a model load runs.
    // systemPrompt: Lumina-Image 2.0's (nullopt: the model's default; Lumina-Next ignores it).
    void requestTokenCount(const QString& prompt,
                           const std::optional<std::string>& systemPrompt = std::nullopt);
    void cancel(CancelMode mode);
    // Cancel, wait for the worker to return, stop both threads. Safe to call twice.
    void shutdown();

signals:
    void modelLoadProgress(qint64 bytes, qint64 total);
    void modelLoaded(const QString& name, const QString& device, const QString& precision);
    // The load failed; the model loaded before (if any) is still the engine's and still usable: hasModel()
    // and modelName() say so.
    void modelLoadFailed(const QString& message);
    void refused(const QString& reason);
    void stage(int stage);
    void progress(qint64 jobId, int step, int total, double etaMs);
    void preview(qint64 jobId, const QImage& image);
    void finished(const lumina::ui::GenerationResult& result);
    void cancelled(qint64 jobId);
    void failed(qint64 jobId, const QString& message);
    void tokenCount(int count, int limit, bool truncated, int keptChars);
    void busyChanged(bool busy);
    // error empty on success; fromLatents false when the saved 8-bit picture had to stand in.
    void exported(const QString& file, const QString& error, bool fromLatents);

private:
    friend class EngineWorker;
    friend class TokenCounter;
    void setBusy(bool busy);
    bool accepting(const char* what); // false (logged, refused emitted) when no request can start now
    // Run on the UI thread, posted by the worker and the token counter.
    // What the engine has loaded now (after a load or a failed one): name, device, precision, size.
    struct LoadedFacts {
        QString name, device, precision;
        pipeline::ModelFootprint size;
        ModelFamily family = ModelFamily::LuminaNext;
    };
    void onModelLoaded(const LoadedFacts& facts);
    void onModelLoadFailed(const QString& message, const LoadedFacts& kept);
    void onRunEnded(); // finished, cancelled or failed
    void onTokenCount(int requestId, int count, int limit, bool truncated, int keptChars);

    QThread m_thread, m_tokenThread;
    std::unique_ptr<EngineWorker> m_worker;  // used on m_thread only
    std::unique_ptr<TokenCounter> m_counter; // used on m_tokenThread only
    Mailbox* m_workerMailbox = nullptr;      // lives on m_thread
    Mailbox* m_tokenMailbox = nullptr;       // lives on m_tokenThread
    Mailbox* m_uiMailbox = nullptr;          // lives on the UI thread (child of the bridge)
    std::shared_ptr<engine::GenerationEngine> m_engine;
    std::shared_ptr<CancelToken> m_cancel = std::make_shared<CancelToken>();
    std::shared_ptr<std::atomic<int>> m_latestTokenRequest = std::make_shared<std::atomic<int>>(0);
    bool m_hasEngine = false;
    bool m_busy = false;
    QString m_modelName, m_device, m_precision;
    pipeline::ModelFootprint m_modelFootprint;
    ModelFamily m_modelFamily = ModelFamily::LuminaNext;
};

} // namespace ui
} // namespace lumina

Q_DECLARE_METATYPE(lumina::ui::GenerationResult)
