#include "core/engine/lumina_engine.h"
#include "core/text/lumina2_prompt.h"

#include "core/pipeline/loaded_models.h"
#include "core/pipeline/text_to_image.h"
#include "core/util/errors.h"

#include <atomic>
#include <c10/core/CachingDeviceAllocator.h>
#include <c10/util/Exception.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

namespace lumina::engine {

LuminaEngine::LuminaEngine() = default;
LuminaEngine::~LuminaEngine() = default;

void LuminaEngine::loadModel(const std::string& folderOrRepoId, const ModelLoadOptions& options,
                             const std::function<void(uint64_t, uint64_t)>& progress) {
    pipeline::ModelSource source;
    source.model = folderOrRepoId;
    loadModel(source, options, progress);
}

void LuminaEngine::loadModel(const pipeline::ModelSource& source, const ModelLoadOptions& options,
                             const std::function<void(uint64_t, uint64_t)>& progress) {
    // Built completely before it replaces the current model, so a failed load leaves the old one usable.
    auto loaded =
        pipeline::loadModels(source, options.device, options.precision, progress,
                             {options.memoryLimitBytes, options.attention, options.attentionCacheFile});
    std::atomic_store(&m_models, loaded);
}

std::shared_ptr<const pipeline::LoadedModels> LuminaEngine::models() const {
    return std::atomic_load(&m_models);
}

bool LuminaEngine::modelLoaded() const {
    return models() != nullptr;
}

std::string LuminaEngine::modelName() const {
    auto m = models();
    return m ? m->name : std::string();
}

pipeline::ModelFootprint LuminaEngine::modelFootprint() const {
    auto m = models();
    return m ? pipeline::footprintOf(*m) : pipeline::ModelFootprint{};
}

std::optional<pipeline::MemoryPlan> LuminaEngine::planMemory(int width, int height, bool guided) const {
    auto m = models();
    if (!m) return std::nullopt;
    return pipeline::planRunMemory(*m, width, height, guided);
}

std::string LuminaEngine::deviceName() const {
    auto m = models();
    return m ? pipeline::deviceLabel(m->device) : std::string();
}

std::string LuminaEngine::precisionName() const {
    auto m = models();
    return m ? pipeline::dtypeLabel(m->dtype) : std::string();
}

ModelFamily LuminaEngine::modelFamily() const {
    auto m = models();
    return m ? m->family : ModelFamily::LuminaNext;
}

TokenCount LuminaEngine::countTokens(const std::string& prompt,
                                     const std::optional<std::string>& systemPrompt) const {
    TokenCount count;
    auto m = models();
    if (!m) return count;
    try {
        const bool lumina2 = m->family == ModelFamily::Lumina2;
        const std::string text = lumina2 ? text::lumina2PromptText(prompt, systemPrompt) : prompt;
        const auto tokens = m->tokenizer->tokenize(text);
        count.count = static_cast<int>(tokens.ids.size());
        count.truncated = tokens.truncated;
        count.keptText = tokens.keptText;
        // The kept part of the prompt itself, after the system prompt and separator.
        const std::size_t prefix = text.size() - prompt.size();
        if (lumina2)
            count.keptText = count.keptText.size() > prefix ? count.keptText.substr(prefix) : std::string();
    } catch (const Error&) {
        count.count = 0; // invalid text is reported when generating; the counter just shows nothing
    }
    return count;
}

DeviceMemory LuminaEngine::deviceMemory() const {
    auto m = models();
    if (!m || !m->device.is_cuda()) return {};
    try {
        const auto index = m->device.has_index() ? m->device.index() : c10::DeviceIndex{0};
        auto* allocator = c10::getDeviceAllocator(c10::kCUDA);
        const auto stats = allocator->getDeviceStats(index);
        const auto [freeBytes, totalBytes] = allocator->getMemoryInfo(index);
        (void)freeBytes;
        return {pipeline::deviceLabel(m->device), static_cast<uint64_t>(stats.reserved_bytes[0].current),
                static_cast<uint64_t>(totalBytes)};
    } catch (const c10::Error&) {
        return {}; // the status bar then shows the process memory only
    }
}

image::FloatImage LuminaEngine::decodeLatents(const std::vector<int64_t>& shape,
                                              const std::vector<float>& values) {
    auto m = models();
    if (!m) throw InvalidRequest("no model is loaded: open the model these latents were made with first");
    const int64_t channels = m->vae->config().latentChannels;
    int64_t count = 1;
    for (int64_t d : shape)
        count *= d;
    if (shape.size() != 4 || shape[0] != 1 || shape[1] != channels || shape[2] < 1 || shape[3] < 1 ||
        count != static_cast<int64_t>(values.size()))
        throw InvalidRequest(
            fmt::format("these latents ({} values, shape [{}]) do not fit the loaded model's VAE "
                        "({} channels)",
                        values.size(), fmt::join(shape, ", "), channels));
    c10::InferenceMode inference;
    const auto latents = torch::from_blob(const_cast<float*>(values.data()), shape, torch::kFloat);
    try {
        return pipeline::decodeToImage(*m, latents, VAETiling::Auto, 0);
    } catch (const c10::OutOfMemoryError& e) {
        throw OutOfMemory(fmt::format("decoding {}x{} latents needs more memory than is free ({})", shape[3],
                                      shape[2], e.what_without_backtrace()));
    }
}

pipeline::GenerationOutput LuminaEngine::generate(const pipeline::GenerationRequest& request,
                                                  const pipeline::GenerationCallbacks& callbacks,
                                                  const CancelToken& cancel) {
    auto m = models();
    if (!m) throw InvalidRequest("no model is loaded: open a Lumina-Next model folder first");
    return pipeline::generateImage(*m, request, callbacks, cancel);
}

} // namespace lumina::engine
