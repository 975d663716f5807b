#pragma once
// DemoEngine: a stand-in GenerationEngine that paints gradients instead of running a model. It exists for the
// GUI tests and for `lumina-studio --demo` (screenshots, documentation); it never pretends to be Lumina-Next:
// its model name says "demo". It behaves like the real engine where the UI can tell: byte progress while
// loading, one onStep per step with a small preview, the cancel token checked before every simulated model
// evaluation, the same exceptions.
#include "core/engine/generation_engine.h"

#include <atomic>
#include <mutex>
#include <string>

namespace lumina {
namespace ui {

struct DemoEngineOptions {
    int evaluationMs = 20;      // duration of one simulated model evaluation
    int evaluationsPerStep = 1; // as a midpoint sampler would do 2
    int previewEdge = 64;       // longest edge of the step previews
    int loadChunks = 8;         // loadModel reports progress this many times
    int loadChunkMs = 5;
    std::string failGenerate;          // when set, generate() throws lumina::Error with this message
    bool outOfMemory = false;          // when set, generate() throws OutOfMemory
    engine::DeviceMemory deviceMemory; // reported by deviceMemory() (tests of the status bar)
    ModelFamily family = ModelFamily::LuminaNext; // the family the demo model presents (per-family UI tests)
};

class DemoEngine : public engine::GenerationEngine {
public:
    explicit DemoEngine(DemoEngineOptions options = {})
        : m_options(std::move(options)) {}

    // "demo" (or an empty string) loads the demo model; a folder that does not exist throws ModelLoadError,
    // like the real engine does for a bad model folder. An existing folder loads the demo model under the
    // folder's name, "demo (<folder>)", so tests can switch between models (per-model settings).
    void loadModel(const std::string& folderOrRepoId, const engine::ModelLoadOptions& options,
                   const std::function<void(uint64_t, uint64_t)>& progress) override;
    bool modelLoaded() const override { return m_loaded; }
    std::string modelName() const override;
    std::string deviceName() const override { return "cpu"; }
    std::string precisionName() const override { return "fp32"; }
    ModelFamily modelFamily() const override { return m_options.family; }
    // One token per word (and per CJK character) plus <bos>: enough to exercise the UI's limit marker.
    engine::TokenCount countTokens(const std::string& prompt,
                                   const std::optional<std::string>& systemPrompt) const override;
    engine::DeviceMemory deviceMemory() const override { return m_options.deviceMemory; }
    pipeline::GenerationOutput generate(const pipeline::GenerationRequest& request,
                                        const pipeline::GenerationCallbacks& callbacks,
                                        const CancelToken& cancel) override;

    int evaluationsDone() const { return m_evaluations.load(); }

private:
    DemoEngineOptions m_options;
    std::atomic<bool> m_loaded{false};
    mutable std::mutex m_nameMutex; // modelName() may be asked from any thread
    std::string m_name;
    std::atomic<int> m_evaluations{0};
};

} // namespace ui
} // namespace lumina
