#pragma once
// The engine bridge (architecture rule 4). EngineWorker owns the GenerationEngine and lives on its own
// QThread; EngineBridge lives on the UI thread, owns that thread, and is the only way the window reaches the
// engine: calls become queued invocations on the worker, results come back as queued signals carrying Qt
// values (QImage copies, QString). The worker catches every exception and turns it into failed(message).
// Cancellation goes through a shared CancelToken, which the engine checks before every model evaluation.
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
};

class EngineWorker : public QObject {
    Q_OBJECT
public:
    EngineWorker(std::unique_ptr<engine::GenerationEngine> engine, std::shared_ptr<CancelToken> cancel,
                 std::shared_ptr<std::atomic<int>> latestTokenRequest);
    ~EngineWorker() override;

    // These run on the worker thread (the bridge invokes them queued).
    void loadModel(const QString& folder, engine::ModelLoadOptions options);
    void generate(qint64 jobId, const pipeline::GenerationRequest& request, const QString& outputFolder);
    void countTokens(int requestId, const QString& prompt);

signals:
    void modelLoadProgress(qint64 bytes, qint64 total);
    void modelLoaded(const QString& name, const QString& device, const QString& precision);
    void modelLoadFailed(const QString& message);
    void stage(int stage); // engine::Stage
    void progress(qint64 jobId, int step, int total, double etaMs);
    void preview(qint64 jobId, const QImage& image);
    void finished(const lumina::ui::GenerationResult& result);
    void cancelled(qint64 jobId);
    void failed(qint64 jobId, const QString& message);
    void tokenCount(int requestId, int count, int limit, bool truncated, int keptChars);

private:
    std::unique_ptr<engine::GenerationEngine> m_engine;
    std::shared_ptr<CancelToken> m_cancel;
    std::shared_ptr<std::atomic<int>> m_latestTokenRequest;
};

class EngineBridge : public QObject {
    Q_OBJECT
public:
    // engine may be null (no engine in this build): every request then fails with a clear message.
    explicit EngineBridge(std::unique_ptr<engine::GenerationEngine> engine, QObject* parent = nullptr);
    ~EngineBridge() override; // cancels a running generation, waits for it, stops the thread

    bool hasEngine() const { return m_hasEngine; }
    bool busy() const { return m_busy; }
    bool hasModel() const { return !m_modelName.isEmpty(); }
    QString modelName() const { return m_modelName; }
    QString deviceName() const { return m_device; }
    QString precisionName() const { return m_precision; }

    void loadModel(const QString& folder, engine::ModelLoadOptions options);
    void generate(qint64 jobId, const pipeline::GenerationRequest& request, const QString& outputFolder);
    // Debounce is the caller's business; only the newest request is answered, older ones are skipped.
    void requestTokenCount(const QString& prompt);
    void cancel(CancelMode mode);
    // Cancel, wait for the worker to return, stop the thread. Safe to call twice.
    void shutdown();

signals:
    void modelLoadProgress(qint64 bytes, qint64 total);
    void modelLoaded(const QString& name, const QString& device, const QString& precision);
    void modelLoadFailed(const QString& message);
    void stage(int stage);
    void progress(qint64 jobId, int step, int total, double etaMs);
    void preview(qint64 jobId, const QImage& image);
    void finished(const lumina::ui::GenerationResult& result);
    void cancelled(qint64 jobId);
    void failed(qint64 jobId, const QString& message);
    void tokenCount(int count, int limit, bool truncated, int keptChars);
    void busyChanged(bool busy);

private:
    void setBusy(bool busy);
    QThread m_thread;
    EngineWorker* m_worker = nullptr;
    std::shared_ptr<CancelToken> m_cancel = std::make_shared<CancelToken>();
    std::shared_ptr<std::atomic<int>> m_latestTokenRequest = std::make_shared<std::atomic<int>>(0);
    bool m_hasEngine = false;
    bool m_busy = false;
    QString m_modelName, m_device, m_precision;
};

} // namespace ui
} // namespace lumina

Q_DECLARE_METATYPE(lumina::ui::GenerationResult)
