#include "ui/engine_bridge.h"

#include "core/image/embedded_metadata.h"
#include "core/image/image_export.h"
#include "core/util/errors.h"
#include "core/util/log.h"
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

// Writes the finished image as PNG with the settings embedded, through core/image's exporter (atomic write,
// settings JSON + A1111 parameters + provenance). Without OpenImageIO that exporter throws IoError; then the
// 8-bit image is written through QImage with the same text chunks (settings JSON, A1111 parameters).
QString writePng(const image::FloatImage& floatImage, const QImage& image, const QString& folder,
                 quint64 seed, const nlohmann::json& settings, QString& error) {
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
        log::debug("image export through core/image unavailable ({}); writing the PNG through Qt", e.what());
    }
    QImage tagged = image;
    tagged.setText(image::kSettingsKey, QString::fromStdString(settings.dump()));
    tagged.setText(image::kParametersKey, QString::fromStdString(image::a1111Parameters(settings)));
    tagged.setText("Software", "Lumina Studio");
    if (!tagged.save(path, "PNG")) {
        error = QObject::tr("Cannot write %1. Check that the output folder is writable.").arg(path);
        return {};
    }
    return path;
}

} // namespace

EngineWorker::EngineWorker(std::unique_ptr<engine::GenerationEngine> engine,
                           std::shared_ptr<CancelToken> cancel,
                           std::shared_ptr<std::atomic<int>> latestTokenRequest)
    : m_engine(std::move(engine))
    , m_cancel(std::move(cancel))
    , m_latestTokenRequest(std::move(latestTokenRequest)) {}

EngineWorker::~EngineWorker() = default;

void EngineWorker::loadModel(const QString& folder, engine::ModelLoadOptions options) {
    try {
        if (!m_engine) throw ModelLoadError("This build has no inference engine.");
        m_engine->loadModel(folder.toStdString(), options, [this](uint64_t bytes, uint64_t total) {
            emit modelLoadProgress(qint64(bytes), qint64(total));
        });
        emit modelLoaded(qs(m_engine->modelName()), qs(m_engine->deviceName()),
                         qs(m_engine->precisionName()));
    } catch (const std::exception& e) {
        log::warn("model load failed: {}", e.what());
        emit modelLoadFailed(qs(e.what()));
    } catch (...) {
        emit modelLoadFailed(tr("Unknown error while loading the model."));
    }
}

void EngineWorker::generate(qint64 jobId, const pipeline::GenerationRequest& request,
                            const QString& outputFolder) {
    try {
        if (!m_engine) throw Error("This build has no inference engine.");
        engine::GenerationCallbacks callbacks;
        callbacks.onStage = [this](engine::Stage s) { emit stage(int(s)); };
        callbacks.onStep = [this, jobId](const engine::StepProgress& p, const image::Rgb8Image* img) {
            emit progress(jobId, p.step, p.totalSteps, p.etaMs);
            // A copy (the engine reuses its buffer), already in the format the canvas paints fastest.
            if (img && !img->empty())
                emit preview(jobId, toQImage(*img).convertToFormat(QImage::Format_RGB32));
        };
        engine::GenerationOutput out = m_engine->generate(request, callbacks, *m_cancel);

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
        r.imagePath = writePng(out.image, r.image, outputFolder, r.seed, settings, r.saveError);
        emit finished(r);
    } catch (const Cancelled&) {
        emit cancelled(jobId);
    } catch (const std::exception& e) {
        log::warn("generation failed: {}", e.what());
        emit failed(jobId, qs(e.what()));
    } catch (...) {
        emit failed(jobId, tr("Unknown error during generation."));
    }
}

void EngineWorker::countTokens(int requestId, const QString& prompt) {
    if (requestId != m_latestTokenRequest->load()) return; // a newer text is already waiting
    try {
        if (!m_engine || !m_engine->modelLoaded()) return;
        const std::string text = prompt.toStdString();
        const engine::TokenCount c = m_engine->countTokens(text);
        int keptChars = prompt.size();
        if (c.truncated && text.compare(0, c.keptText.size(), c.keptText) == 0)
            keptChars = qs(c.keptText).size();
        emit tokenCount(requestId, c.count, c.limit, c.truncated, keptChars);
    } catch (const std::exception& e) {
        log::warn("token count failed: {}", e.what());
    }
}

EngineBridge::EngineBridge(std::unique_ptr<engine::GenerationEngine> engine, QObject* parent)
    : QObject(parent)
    , m_hasEngine(engine != nullptr) {
    qRegisterMetaType<GenerationResult>();
    m_thread.setObjectName("lumina-engine");
    m_worker = new EngineWorker(std::move(engine), m_cancel, m_latestTokenRequest);
    m_worker->moveToThread(&m_thread);
    connect(m_worker, &EngineWorker::modelLoadProgress, this, &EngineBridge::modelLoadProgress);
    connect(m_worker, &EngineWorker::modelLoaded, this,
            [this](const QString& name, const QString& device, const QString& precision) {
                m_modelName = name;
                m_device = device;
                m_precision = precision;
                setBusy(false);
                emit modelLoaded(name, device, precision);
            });
    connect(m_worker, &EngineWorker::modelLoadFailed, this, [this](const QString& message) {
        setBusy(false);
        emit modelLoadFailed(message);
    });
    connect(m_worker, &EngineWorker::stage, this, &EngineBridge::stage);
    connect(m_worker, &EngineWorker::progress, this, &EngineBridge::progress);
    connect(m_worker, &EngineWorker::preview, this, &EngineBridge::preview);
    connect(m_worker, &EngineWorker::finished, this, [this](const GenerationResult& r) {
        setBusy(false);
        emit finished(r);
    });
    connect(m_worker, &EngineWorker::cancelled, this, [this](qint64 id) {
        setBusy(false);
        emit cancelled(id);
    });
    connect(m_worker, &EngineWorker::failed, this, [this](qint64 id, const QString& message) {
        setBusy(false);
        emit failed(id, message);
    });
    connect(m_worker, &EngineWorker::tokenCount, this,
            [this](int id, int count, int limit, bool truncated, int kept) {
                if (id == m_latestTokenRequest->load()) emit tokenCount(count, limit, truncated, kept);
            });
    m_thread.start();
}

EngineBridge::~EngineBridge() {
    shutdown();
}

void EngineBridge::shutdown() {
    if (!m_worker) return;
    m_cancel->request(CancelMode::StopNow);
    m_thread.quit(); // processed after the running call returns (the engine sees the cancel)
    m_thread.wait();
    delete m_worker; // its thread has finished: deleting it from here is safe
    m_worker = nullptr;
}

void EngineBridge::setBusy(bool busy) {
    if (m_busy == busy) return;
    m_busy = busy;
    emit busyChanged(busy);
}

void EngineBridge::loadModel(const QString& folder, engine::ModelLoadOptions options) {
    if (!m_worker || m_busy) return;
    setBusy(true);
    m_modelName.clear();
    EngineWorker* w = m_worker;
    QMetaObject::invokeMethod(
        w, [w, folder, options] { w->loadModel(folder, options); }, Qt::QueuedConnection);
}

void EngineBridge::generate(qint64 jobId, const pipeline::GenerationRequest& request,
                            const QString& outputFolder) {
    if (!m_worker || m_busy) return;
    setBusy(true);
    m_cancel->reset(); // before the hop: a cancel that arrives before the worker starts still counts
    EngineWorker* w = m_worker;
    QMetaObject::invokeMethod(
        w, [w, jobId, request, outputFolder] { w->generate(jobId, request, outputFolder); },
        Qt::QueuedConnection);
}

void EngineBridge::requestTokenCount(const QString& prompt) {
    if (!m_worker) return;
    const int id = ++*m_latestTokenRequest;
    EngineWorker* w = m_worker;
    QMetaObject::invokeMethod(
        w, [w, id, prompt] { w->countTokens(id, prompt); }, Qt::QueuedConnection);
}

void EngineBridge::cancel(CancelMode mode) {
    if (m_busy) m_cancel->request(mode);
}

} // namespace ui
} // namespace lumina
