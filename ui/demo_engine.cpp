#include "ui/demo_engine.h"

#include "core/text/lumina2_prompt.h"
#include "core/util/errors.h"
#include "ui/demo_content.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>

namespace lumina {
namespace ui {
namespace {

image::Rgb8Image toRgb8Buffer(const QImage& source) {
    const QImage img = source.convertToFormat(QImage::Format_RGB888);
    image::Rgb8Image out{img.width(), img.height(),
                         std::vector<uint8_t>(std::size_t(img.width()) * img.height() * 3)};
    for (int y = 0; y < img.height(); ++y)
        std::copy_n(img.constScanLine(y), std::size_t(img.width()) * 3,
                    out.pixels.begin() + std::ptrdiff_t(y) * img.width() * 3);
    return out;
}

} // namespace

void DemoEngine::loadModel(const std::string& folder, const engine::ModelLoadOptions&,
                           const std::function<void(uint64_t, uint64_t)>& progress) {
    if (!folder.empty() && folder != "demo" && !std::filesystem::is_directory(folder))
        throw ModelLoadError(
            "Model folder '" + folder +
            "' does not exist. Choose a Lumina-Next pipeline folder (it contains model_index.json).");
    const uint64_t total = 1'500'000'000ULL;
    for (int i = 1; i <= m_options.loadChunks; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(m_options.loadChunkMs));
        if (progress) progress(total * i / m_options.loadChunks, total);
    }
    {
        const std::lock_guard<std::mutex> lock(m_nameMutex);
        m_name = folder.empty() || folder == "demo"
                     ? std::string("demo (gradients, no model)")
                     : "demo (" + std::filesystem::path(folder).filename().string() + ")";
    }
    m_loaded = true;
}

std::string DemoEngine::modelName() const {
    if (!m_loaded) return {};
    const std::lock_guard<std::mutex> lock(m_nameMutex);
    return m_name;
}

engine::TokenCount DemoEngine::countTokens(const std::string& prompt,
                                           const std::optional<std::string>& systemPrompt) const {
    engine::TokenCount result;
    result.count = 1; // <bos>
    if (m_options.family == ModelFamily::Lumina2) {
        // Lumina-Image 2.0 encodes "<system prompt> <Prompt Start> <prompt>": one token per word of the first
        // two.
        const std::string system(systemPrompt ? *systemPrompt
                                              : std::string(text::kLumina2SuperiorSystemPrompt));
        bool inSystemWord = false;
        for (char c : system + " <Prompt Start> ") {
            const bool space = c == ' ' || c == '\n' || c == '\t';
            if (!space && !inSystemWord) ++result.count;
            inSystemWord = !space;
        }
    }
    bool inWord = false;
    std::size_t kept = prompt.size();
    for (std::size_t i = 0; i < prompt.size();) {
        const auto byte = static_cast<unsigned char>(prompt[i]);
        const std::size_t len = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4;
        const bool space = byte == ' ' || byte == '\n' || byte == '\t';
        const bool cjk = len >= 3;
        if ((!space && !inWord) || cjk) {
            if (result.count == result.limit && kept == prompt.size()) kept = i;
            ++result.count;
        }
        inWord = !space && !cjk;
        i += len;
    }
    result.truncated = result.count > result.limit;
    result.keptText = prompt.substr(0, kept);
    return result;
}

pipeline::GenerationOutput DemoEngine::generate(const pipeline::GenerationRequest& request,
                                                const pipeline::GenerationCallbacks& callbacks,
                                                const CancelToken& cancel) {
    pipeline::validateRequest(request);
    if (!m_loaded) throw InvalidRequest("No model is loaded. Load a model before generating.");
    const auto start = std::chrono::steady_clock::now();
    auto elapsedMs = [&] {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    };
    pipeline::GenerationOutput out;
    out.resolved = request;
    out.seed = request.seed.value_or(uint64_t(std::chrono::steady_clock::now().time_since_epoch().count()) %
                                     4294967296ULL);
    out.resolved.seed = out.seed;
    out.device = deviceName();
    out.precision = precisionName();
    out.modelName = modelName();
    if (callbacks.onStage) callbacks.onStage(pipeline::Stage::EncodingPrompt);
    if (m_options.outOfMemory) throw OutOfMemory("Out of memory on cpu (demo). Try a smaller size.");
    if (!m_options.failGenerate.empty()) throw Error(m_options.failGenerate);
    if (callbacks.onStage) callbacks.onStage(pipeline::Stage::Sampling);

    const int steps = request.sampling.steps, evalsPerStep = m_options.evaluationsPerStep;
    const int scale = std::max(request.width, request.height);
    const int pw = std::max(1, m_options.previewEdge * request.width / scale);
    const int ph = std::max(1, m_options.previewEdge * request.height / scale);
    for (int step = 1; step <= steps && !out.draft; ++step) {
        for (int e = 0; e < evalsPerStep; ++e) {
            if (cancel.mode() == CancelMode::StopNow) throw Cancelled();
            if (cancel.mode() == CancelMode::StopKeepDraft) {
                out.draft = true;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(m_options.evaluationMs));
            ++m_evaluations;
        }
        if (out.draft) break;
        const image::Rgb8Image preview =
            toRgb8Buffer(demoPreview(out.seed, QSize(pw, ph), double(step) / steps));
        pipeline::StepProgress p;
        p.step = step;
        p.totalSteps = steps;
        p.modelEvaluations = step * evalsPerStep;
        p.totalModelEvaluations = steps * evalsPerStep;
        p.elapsedMs = elapsedMs();
        p.etaMs = p.elapsedMs / step * (steps - step);
        if (callbacks.onStep) callbacks.onStep(p, &preview);
    }
    if (cancel.mode() == CancelMode::StopNow) throw Cancelled();
    if (callbacks.onStage) callbacks.onStage(pipeline::Stage::Decoding);
    const image::Rgb8Image final8 = toRgb8Buffer(demoPicture(out.seed, QSize(request.width, request.height)));
    out.image = {final8.width, final8.height, std::vector<float>(final8.pixels.size())};
    for (std::size_t i = 0; i < final8.pixels.size(); ++i)
        out.image.pixels[i] = final8.pixels[i] / 255.0f;
    out.samplingMs = elapsedMs();
    out.totalMs = elapsedMs();
    out.latentShape = {1, 4, request.height / 8, request.width / 8};
    if (callbacks.onStage) callbacks.onStage(pipeline::Stage::Done);
    return out;
}

} // namespace ui
} // namespace lumina
