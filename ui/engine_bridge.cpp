#include "ui/engine_bridge.h"

#include "core/gallery/latents_file.h"
#include "core/image/image_export.h"
#include "core/util/errors.h"
#include "core/util/log.h"
#include "ui/mailbox.h"
#include "ui/qt_image.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QMetaObject>
#include <exception>

namespace lumina {
namespace ui {
namespace {

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

// Writes the finished image as PNG with the settings embedded, through core/image's exporter (atomic write:
// never a half-written file under the final name; settings JSON, A1111 parameters, provenance). Returns the
// path, or an empty string and the reason in `error`.
QString writePng(const image::FloatImage& floatImage, const QString& folder, quint64 seed,
                 const nlohmann::json& settings, QString& error) {
    if (!QDir().mkpath(folder)) {
        error =
            QObject::tr("Cannot create the output folder %1. Choose another one in Preferences.").arg(folder);
        return {};
    }
    const QString stem = QStringLiteral("lumina_%1_%2")
                             .arg(QDateTime::currentDateTime().toString("yyyyMMdd_HHmmss"))
                             .arg(seed);
    QString path = QDir(folder).filePath(stem + ".png");
    for (int i = 2; QFileInfo::exists(path); ++i)
        path = QDir(folder).filePath(QStringLiteral("%1_%2.png").arg(stem).arg(i));
    try {
        image::writeImage(floatImage, path.toStdString(), image::ExportOptions{}, settings);
        return path;
    } catch (const std::exception& e) {
        log::warn("could not save the image: {}", e.what());
        error = QObject::tr("The image was not saved: %1").arg(QString::fromUtf8(e.what()));
        return {};
    }
}

} // namespace

// Runs on the worker thread; every result goes back as a task on the UI mailbox.
class EngineWorker {
public:
    EngineWorker(std::shared_ptr<engine::GenerationEngine> engine, std::shared_ptr<CancelToken> cancel,
                 EngineBridge* bridge, Mailbox* toUi)
        : m_engine(std::move(engine))
        , m_cancel(std::move(cancel))
        , m_bridge(bridge)
        , m_toUi(toUi) {}

    void loadModel(const QString& folder, engine::ModelLoadOptions options);
    void generate(qint64 jobId, const pipeline::GenerationRequest& request, const QString& outputFolder);
    void exportImage(const ExportJob& job);

private:
    void loadFailed(const QString& message);
    EngineBridge::LoadedFacts loadedFacts() const;
    void failed(qint64 jobId, const QString& message) {
        m_toUi->post([b = m_bridge, jobId, message] {
            b->onRunEnded();
            emit b->failed(jobId, message);
        });
    }
    std::shared_ptr<engine::GenerationEngine> m_engine;
    std::shared_ptr<CancelToken> m_cancel;
    EngineBridge* m_bridge;
    Mailbox* m_toUi;
};

// Counts prompt tokens on a thread of its own, so the count stays live while the worker generates or loads
// (GenerationEngine::countTokens is thread-safe for that reason). Only the newest request is answered.
class TokenCounter {
public:
    TokenCounter(std::shared_ptr<engine::GenerationEngine> engine, std::shared_ptr<std::atomic<int>> latest,
                 EngineBridge* bridge, Mailbox* toUi)
        : m_engine(std::move(engine))
        , m_latestRequest(std::move(latest))
        , m_bridge(bridge)
        , m_toUi(toUi) {}

    void count(int requestId, const QString& prompt, const std::optional<std::string>& systemPrompt) {
        if (requestId != m_latestRequest->load()) return; // a newer text is already waiting
        try {
            if (!m_engine || !m_engine->modelLoaded()) return;
            const std::string text = prompt.toStdString();
            const engine::TokenCount c = m_engine->countTokens(text, systemPrompt);
            int keptChars = int(prompt.size());
            if (c.truncated && text.compare(0, c.keptText.size(), c.keptText) == 0)
                keptChars = int(qs(c.keptText).size());
            m_toUi->post([b = m_bridge, requestId, c, keptChars] {
                b->onTokenCount(requestId, c.count, c.limit, c.truncated, keptChars);
            });
        } catch (const std::exception& e) {
            log::warn("token count failed: {}", e.what());
        }
    }

private:
    std::shared_ptr<engine::GenerationEngine> m_engine;
    std::shared_ptr<std::atomic<int>> m_latestRequest;
    EngineBridge* m_bridge;
    Mailbox* m_toUi;
};

void EngineWorker::loadModel(const QString& folder, engine::ModelLoadOptions options) {
    try {
        if (!m_engine) throw ModelLoadError("This build has no inference engine.");
        m_engine->loadModel(folder.toStdString(), options, [this](uint64_t bytes, uint64_t total) {
            m_toUi->post(
                [b = m_bridge, bytes, total] { emit b->modelLoadProgress(qint64(bytes), qint64(total)); });
        });
        m_toUi->post([b = m_bridge, facts = loadedFacts()] { b->onModelLoaded(facts); });
    } catch (const std::exception& e) {
        log::warn("model load failed: {}", e.what());
        loadFailed(qs(e.what()));
    } catch (...) {
        loadFailed(QObject::tr("Unknown error while loading the model."));
    }
}

void EngineWorker::loadFailed(const QString& message) {
    // The engine replaces its model only once a new one is complete, so the previous model may still be
    // loaded: tell the UI which one, so the window keeps offering it.
    m_toUi->post([b = m_bridge, message, kept = loadedFacts()] { b->onModelLoadFailed(message, kept); });
}

EngineBridge::LoadedFacts EngineWorker::loadedFacts() const {
    if (!m_engine || !m_engine->modelLoaded()) return {};
    return {qs(m_engine->modelName()), qs(m_engine->deviceName()), qs(m_engine->precisionName()),
            m_engine->modelFootprint(), m_engine->modelFamily()};
}

void EngineWorker::generate(qint64 jobId, const pipeline::GenerationRequest& request,
                            const QString& outputFolder) {
    try {
        if (!m_engine) throw Error("This build has no inference engine.");
        pipeline::GenerationCallbacks callbacks;
        callbacks.onStage = [this](pipeline::Stage s) {
            m_toUi->post([b = m_bridge, s] { emit b->stage(int(s)); });
        };
        callbacks.onStep = [this, jobId](const pipeline::StepProgress& p, const image::Rgb8Image* img) {
            m_toUi->post([b = m_bridge, jobId, step = p.step, total = p.totalSteps, eta = p.etaMs] {
                emit b->progress(jobId, step, total, eta);
            });
            // A copy (the engine reuses its buffer), already in the format the canvas paints fastest.
            if (img && !img->empty())
                m_toUi->post(
                    [b = m_bridge, jobId, frame = toQImage(*img).convertToFormat(QImage::Format_RGB32)] {
                        emit b->preview(jobId, frame);
                    });
        };
        pipeline::GenerationOutput out = m_engine->generate(request, callbacks, *m_cancel);

        GenerationResult r;
        r.jobId = jobId;
        r.image = toQImage(out.image).convertToFormat(QImage::Format_RGB32); // the UI thread only blits it
        r.seed = out.seed;
        r.draft = out.draft;
        r.totalMs = out.totalMs;
        r.prompt = qs(out.resolved.prompt);
        r.negativePrompt = qs(out.resolved.negativePrompt);
        r.device = qs(out.device);
        r.model = qs(out.modelName);
        r.width = out.image.width;
        r.height = out.image.height;
        nlohmann::json settings = pipeline::toJson(out.resolved);
        settings["seed"] = out.seed;
        settings["result"] = {{"draft", out.draft},         {"device", out.device},
                              {"precision", out.precision}, {"model", out.modelName},
                              {"encode_ms", out.encodeMs},  {"sampling_ms", out.samplingMs},
                              {"decode_ms", out.decodeMs},  {"total_ms", out.totalMs}};
        r.settingsJson = QByteArray::fromStdString(settings.dump());
        r.thumbnailPng = thumbnailPng(r.image);
        r.latentShape = out.latentShape;
        r.latents = std::move(out.latents);
        r.imagePath = writePng(out.image, outputFolder, r.seed, settings, r.saveError);
        m_toUi->post([b = m_bridge, r] {
            b->onRunEnded();
            emit b->finished(r);
        });
    } catch (const Cancelled&) {
        m_toUi->post([b = m_bridge, jobId] {
            b->onRunEnded();
            emit b->cancelled(jobId);
        });
    } catch (const std::exception& e) {
        log::warn("generation failed: {}", e.what());
        failed(jobId, qs(e.what()));
    } catch (...) {
        failed(jobId, QObject::tr("Unknown error during generation."));
    }
}

void EngineWorker::exportImage(const ExportJob& job) {
    QString error;
    bool fromLatents = false;
    try {
        image::FloatImage picture;
        if (!job.latentsFile.isEmpty() && QFileInfo::exists(job.latentsFile)) {
            if (!m_engine) throw Error("This build has no inference engine to decode the latents.");
            const auto kept = gallery::readKeptLatents(job.latentsFile.toStdString());
            picture = m_engine->decodeLatents(kept.shape, kept.values);
            fromLatents = true;
        } else {
            picture = image::readImage(job.savedImage.toStdString());
        }
        image::ExportOptions options;
        options.pngBitDepth = job.pngBitDepth;
        options.quality = job.quality;
        auto settings = nlohmann::json::parse(job.settingsJson.toStdString(), nullptr, false);
        if (settings.is_discarded()) settings = nullptr;
        image::writeImage(picture, job.file.toStdString(), options, settings);
    } catch (const std::exception& e) {
        log::warn("export to {} failed: {}", job.file.toStdString(), e.what());
        error = qs(e.what());
    }
    m_toUi->post([b = m_bridge, file = job.file, error, fromLatents] {
        b->onRunEnded();
        emit b->exported(file, error, fromLatents);
    });
}

EngineBridge::EngineBridge(std::unique_ptr<engine::GenerationEngine> engine, QObject* parent)
    : QObject(parent)
    , m_engine(std::move(engine))
    , m_hasEngine(m_engine != nullptr) {
    qRegisterMetaType<GenerationResult>();
    m_uiMailbox = new Mailbox(this);
    m_thread.setObjectName("lumina-engine");
    m_tokenThread.setObjectName("lumina-tokens");
    m_workerMailbox = new Mailbox;
    m_workerMailbox->moveToThread(&m_thread);
    m_tokenMailbox = new Mailbox;
    m_tokenMailbox->moveToThread(&m_tokenThread);
    m_worker = std::make_unique<EngineWorker>(m_engine, m_cancel, this, m_uiMailbox);
    m_counter = std::make_unique<TokenCounter>(m_engine, m_latestTokenRequest, this, m_uiMailbox);
    m_thread.start();
    m_tokenThread.start();
}

EngineBridge::~EngineBridge() {
    shutdown();
}

void EngineBridge::shutdown() {
    if (!m_worker) return;
    m_cancel->request(CancelMode::StopNow);
    m_thread.quit(); // processed after the running task returns (the engine sees the cancel)
    m_tokenThread.quit();
    m_thread.wait();
    m_tokenThread.wait();
    // The threads' last tasks happen before this (same mutexes); then nothing runs on them any more.
    m_workerMailbox->synchronize();
    m_tokenMailbox->synchronize();
    delete m_workerMailbox;
    delete m_tokenMailbox;
    m_workerMailbox = m_tokenMailbox = nullptr;
    m_worker.reset();
    m_counter.reset();
}

void EngineBridge::onModelLoaded(const LoadedFacts& facts) {
    m_modelName = facts.name;
    m_device = facts.device;
    m_precision = facts.precision;
    m_modelFootprint = facts.size;
    m_modelFamily = facts.family;
    setBusy(false);
    emit modelLoaded(facts.name, facts.device, facts.precision);
}

void EngineBridge::onModelLoadFailed(const QString& message, const LoadedFacts& kept) {
    m_modelName = kept.name;
    m_device = kept.device;
    m_precision = kept.precision;
    m_modelFootprint = kept.size;
    m_modelFamily = kept.family;
    setBusy(false);
    emit modelLoadFailed(message);
}

void EngineBridge::onRunEnded() {
    setBusy(false);
}

void EngineBridge::onTokenCount(int requestId, int count, int limit, bool truncated, int keptChars) {
    if (requestId == m_latestTokenRequest->load()) emit tokenCount(count, limit, truncated, keptChars);
}

engine::DeviceMemory EngineBridge::deviceMemory() const {
    return m_engine ? m_engine->deviceMemory() : engine::DeviceMemory{};
}

void EngineBridge::setBusy(bool busy) {
    if (m_busy == busy) return;
    m_busy = busy;
    emit busyChanged(busy);
}

bool EngineBridge::accepting(const char* what) {
    if (m_worker && !m_busy) return true;
    const QString reason = !m_worker ? tr("The engine has been shut down; %1 was not started.").arg(tr(what))
                                     : tr("The engine is busy; %1 was not started.").arg(tr(what));
    log::warn("{}", reason.toStdString());
    emit refused(reason);
    return false;
}

bool EngineBridge::loadModel(const QString& folder, engine::ModelLoadOptions options) {
    if (!accepting(QT_TR_NOOP("the model load"))) return false;
    setBusy(true); // the current model (if any) stays named until a new one replaces it
    m_workerMailbox->post([w = m_worker.get(), folder, options] { w->loadModel(folder, options); });
    return true;
}

bool EngineBridge::generate(qint64 jobId, const pipeline::GenerationRequest& request,
                            const QString& outputFolder) {
    if (!accepting(QT_TR_NOOP("the generation"))) return false;
    setBusy(true);
    m_cancel->reset(); // before the hop: a cancel that arrives before the worker starts still counts
    m_workerMailbox->post(
        [w = m_worker.get(), jobId, request, outputFolder] { w->generate(jobId, request, outputFolder); });
    return true;
}

bool EngineBridge::exportImage(const ExportJob& job) {
    if (!accepting(QT_TR_NOOP("the export"))) return false;
    setBusy(true);
    m_workerMailbox->post([w = m_worker.get(), job] { w->exportImage(job); });
    return true;
}

void EngineBridge::requestTokenCount(const QString& prompt, const std::optional<std::string>& systemPrompt) {
    if (!m_counter) return;
    const int id = ++*m_latestTokenRequest;
    m_tokenMailbox->post(
        [c = m_counter.get(), id, prompt, systemPrompt] { c->count(id, prompt, systemPrompt); });
}

void EngineBridge::cancel(CancelMode mode) {
    if (m_busy) m_cancel->request(mode);
}

} // namespace ui
} // namespace lumina
