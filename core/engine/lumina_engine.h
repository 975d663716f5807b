#pragma once
// The real engine: owns the loaded models (immutable, shared) and runs generation requests on the calling
// thread. Loading and generating are serialized by the caller (the UI worker or the CLI).
#include "core/engine/generation_engine.h"

#include <memory>

namespace lumina::pipeline {
struct LoadedModels;
struct ModelSource;
} // namespace lumina::pipeline

namespace lumina::engine {

class LuminaEngine final : public GenerationEngine {
public:
    LuminaEngine();
    ~LuminaEngine() override;

    // `folderOrRepoId` may also name a Lumina-Image 2.0 .safetensors checkpoint (pipeline::ModelSource).
    void loadModel(const std::string& folderOrRepoId, const ModelLoadOptions& options,
                   const std::function<void(uint64_t, uint64_t)>& progress) override;
    // A pipeline folder or Lumina-Image 2.0 single files, the parts given separately.
    void loadModel(const pipeline::ModelSource& source, const ModelLoadOptions& options,
                   const std::function<void(uint64_t, uint64_t)>& progress);
    bool modelLoaded() const override;
    std::string modelName() const override;
    std::string deviceName() const override;
    std::string precisionName() const override;
    // Thread-safe (the tokenizer is immutable); throws nothing for any prompt text.
    TokenCount countTokens(const std::string& prompt,
                           const std::optional<std::string>& systemPrompt) const override;
    ModelFamily modelFamily() const override;
    // CUDA: bytes reserved by the caching allocator and the device's capacity. MPS and CPU: nothing.
    DeviceMemory deviceMemory() const override;
    pipeline::ModelFootprint modelFootprint() const override;
    std::optional<pipeline::MemoryPlan> planMemory(int width, int height, bool guided) const override;
    image::FloatImage decodeLatents(const std::vector<int64_t>& shape,
                                    const std::vector<float>& values) override;
    pipeline::GenerationOutput generate(const pipeline::GenerationRequest& request,
                                        const pipeline::GenerationCallbacks& callbacks,
                                        const CancelToken& cancel) override;

    std::shared_ptr<const pipeline::LoadedModels> models() const;

private:
    std::shared_ptr<const pipeline::LoadedModels> m_models;
};

} // namespace lumina::engine
