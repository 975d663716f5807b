#pragma once
// The engine as its users (CLI, UI worker, tests) see it: load a model once, then run generation requests,
// one at a time, on the calling thread. A run's progress and output types belong to the pipeline
// (core/pipeline/generation_output.h). Callbacks belong to the request; cancellation is checked before every
// model evaluation and before decoding. LuminaEngine is the real implementation; tests may use a fake.
#include "core/pipeline/generation_output.h"
#include "core/pipeline/memory_plan.h"
#include "core/util/cancel_token.h"
#include "core/util/errors.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lumina::engine {

struct ModelLoadOptions {
    DeviceChoice device = DeviceChoice::Auto;
    Precision precision = Precision::Auto;
    // Most memory a run may hold on its device, weights included (0: what the device has free); the memory
    // plan (core/pipeline/memory_plan.h) releases the text encoder and tiles the decode to stay within it.
    uint64_t memoryLimitBytes = 0;
    // The attention kernel (core/vocabulary/choices.h). Auto: on CUDA the kernel measured fastest at first
    // use (cached in attentionCacheFile, default core/models/common/attention_choice.h); elsewhere LibTorch's
    // order, the reference's own kernel.
    AttentionBackend attention = AttentionBackend::Auto;
    std::string attentionCacheFile{}; // empty: the application data folder's
};

struct TokenCount {
    int count = 0; // ids including <bos>
    int limit = 256;
    bool truncated = false;
    std::string keptText; // the part of the prompt inside the limit
};

// Memory of the device the model runs on, when it is not the CPU (the process's own memory covers that).
struct DeviceMemory {
    std::string device;      // "cuda:0"; empty: nothing to report
    uint64_t usedBytes = 0;  // held by this process's tensors and allocator cache
    uint64_t totalBytes = 0; // the device's capacity
};

class GenerationEngine {
public:
    virtual ~GenerationEngine() = default;
    // progress: (bytes loaded, bytes total). Throws ModelLoadError; the previous model stays loaded on
    // failure.
    virtual void loadModel(const std::string& folderOrRepoId, const ModelLoadOptions& options,
                           const std::function<void(uint64_t, uint64_t)>& progress) = 0;
    virtual bool modelLoaded() const = 0;
    virtual std::string modelName() const = 0;
    virtual std::string deviceName() const = 0;
    virtual std::string precisionName() const = 0;
    // modelLoaded() and countTokens() must be safe to call from another thread while loadModel() or
    // generate() runs: the studio keeps the token count live during a generation.
    // Lumina-Image 2.0 counts the text its encoder sees: the system prompt (nullopt: the default), the
    // separator and the prompt; keptText is then the part of the prompt inside the limit.
    virtual TokenCount countTokens(const std::string& prompt,
                                   const std::optional<std::string>& systemPrompt) const = 0;
    // The family of the loaded model (Lumina-Next when none is loaded). Thread-safe.
    virtual ModelFamily modelFamily() const { return ModelFamily::LuminaNext; }
    // Thread-safe too (the status bar polls it during a run).
    virtual DeviceMemory deviceMemory() const { return {}; }
    // Of the loaded model (what the studio's pre-run estimate of time and memory scales with); unknown
    // (known() false) when none is loaded or the engine cannot tell. Thread-safe.
    virtual pipeline::ModelFootprint modelFootprint() const { return {}; }
    // The memory plan the engine would follow for a width x height image now (free memory as it is now);
    // nullopt when no model is loaded. Thread-safe.
    virtual std::optional<pipeline::MemoryPlan> planMemory(int width, int height, bool guided) const {
        (void)width;
        (void)height;
        (void)guided;
        return std::nullopt;
    }
    // The image of kept final latents ([1, C, h, w] float32, GenerationOutput::latents), decoded as
    // generate() decodes them (Export from the gallery). Throws InvalidRequest when no model is loaded or the
    // shape does not fit the model, OutOfMemory. Engines that cannot decode say so with InvalidRequest.
    virtual image::FloatImage decodeLatents(const std::vector<int64_t>& shape,
                                            const std::vector<float>& values) {
        (void)shape;
        (void)values;
        throw InvalidRequest("this engine cannot decode kept latents");
    }
    // Throws InvalidRequest, Cancelled (StopNow), OutOfMemory, Error. StopKeepDraft returns a draft output.
    virtual pipeline::GenerationOutput generate(const pipeline::GenerationRequest& request,
                                                const pipeline::GenerationCallbacks& callbacks,
                                                const CancelToken& cancel) = 0;
};

} // namespace lumina::engine
