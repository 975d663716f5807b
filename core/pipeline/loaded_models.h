#pragma once
// The models of one checkpoint, loaded once and shared read-only by every run (docs/architecture.md,
// Threads).
#include "core/io/checkpoint_locator.h"
#include "core/io/module_loader.h"
#include "core/models/common/lora_fusion.h"
#include "core/models/gemma/gemma_model.h"
#include "core/models/lumina2/lumina2_model.h"
#include "core/models/next_dit/next_dit_model.h"
#include "core/models/vae/autoencoder_kl.h"
#include "core/pipeline/memory_plan.h"
#include "core/pipeline/model_source.h"
#include "core/pipeline/request.h"
#include "core/sampling/flow_match_schedule.h"
#include "core/text/gemma_tokenizer.h"
#include "core/text/prompt_encoding_cache.h"

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace lumina::pipeline {

struct LoadedModels {
    // Where the models came from. Single files (ModelSource::isSingleFiles) fill only root (the checkpoint
    // or transformer file), family and origin ("single files"): they have no component folders.
    io::PipelineCheckpoint checkpoint;
    // Which text-encoder weights these are, for the prompt-encoding cache: its folder, or file#prefix.
    std::string textEncoderIdentity;
    std::string name; // shown in the UI and recorded with every image
    ModelFamily family = ModelFamily::LuminaNext;
    std::shared_ptr<const text::GemmaTokenizer> tokenizer;
    std::shared_ptr<models::GemmaModelImpl> textEncoder;     // Gemma (Lumina-Next) or Gemma 2 (Lumina 2)
    std::shared_ptr<models::NextDiTModelImpl> transformer;   // Lumina-Next; null for Lumina-Image 2.0
    std::shared_ptr<models::Lumina2TransformerImpl> lumina2; // Lumina-Image 2.0; null for Lumina-Next
    std::shared_ptr<models::AutoencoderKLImpl> vae;
    sampling::FlowMatchEulerConfig scheduler;
    c10::Device device = c10::kCPU;
    c10::ScalarType dtype = c10::kFloat;    // transformer, text encoder and initial noise
    c10::ScalarType vaeDtype = c10::kFloat; // fp16 is refused for the SDXL VAE (it overflows): fp32 then
    // Gemma overflows to inf/NaN in fp16 (activations beyond 65504): with fp16 it runs in fp32 and its
    // output is cast to fp16 for the transformer. Otherwise the same as dtype.
    c10::ScalarType textEncoderDtype = c10::kFloat;
    // Encodings by prompt, so changing only the seed or the size never re-runs Gemma.
    mutable text::PromptEncodingCache encodings{32};
    // Most memory a run may hold on the device, weights included; 0: what the device has free.
    uint64_t memoryLimitBytes = 0;
    // The attention kernel setting and where Auto's measurements are cached (empty: the default file).
    AttentionBackend attention = AttentionBackend::Auto;
    std::string attentionCacheFile;

    // LoRAs fused into the Lumina 2 transformer (docs/lumina2.md, LoRA): the set of the last run stays fused
    // until a run asks for another; adapters read once per file version.
    struct LoraState {
        std::mutex mutex;
        models::LoraFusion fusion;
        struct Cached {
            std::filesystem::file_time_type modified;
            uintmax_t size = 0;
            std::shared_ptr<const models::LoraAdapter> adapter;
        };
        std::map<std::string, Cached> adapters; // by path
    };
    mutable LoraState loras;

    // The family's transformer as a module (moves, sizes).
    torch::nn::Module& transformerModule() const;
};

// `auto` resolves to CUDA, then MPS, then CPU; precision `auto` to bf16 on a GPU and fp32 on the CPU.
// Throws InvalidRequest when the asked device is not available in this build or on this machine.
c10::Device resolveDevice(DeviceChoice choice);
c10::ScalarType resolvePrecision(Precision precision, c10::Device device);
std::string deviceLabel(c10::Device device);
std::string dtypeLabel(c10::ScalarType dtype);

// Engine settings that travel with the loaded models.
struct EngineSettings {
    uint64_t memoryLimitBytes = 0;
    AttentionBackend attention = AttentionBackend::Auto;
    std::string attentionCacheFile;
};
// Locates and loads every component strictly: a pipeline folder / repo id, or Lumina-Image 2.0 single files
// (each part found by its tensor names and checked before any is read; the published scheduler config).
// progress: (bytes done, bytes total) over all components. Throws InvalidRequest for a source whose pieces do
// not go together, ModelLoadError naming the component or file and the cause.
std::shared_ptr<const LoadedModels> loadModels(const ModelSource& source, DeviceChoice device,
                                               Precision precision, const io::LoadProgress& progress,
                                               const EngineSettings& settings = {});

// The loaded models as the memory plan sees them: parameter counts, weight bytes where they sit, shapes.
ModelFootprint footprintOf(const LoadedModels& models);
// What a run may hold on the models' device now, weights included: the free memory (CUDA: 80 % of the free
// and cached-free memory; CPU: 70 % of what the system has available) plus the weights already resident
// there, capped by the user's limit when one is set.
uint64_t runMemoryBudget(const LoadedModels& models);
// What the VAE decode may use now: runMemoryBudget less the weights resident on the device.
uint64_t decodeBudget(const LoadedModels& models);
// planMemory for these models on their device with runMemoryBudget.
MemoryPlan planRunMemory(const LoadedModels& models, int width, int height, bool guided);
// Before a run: the kernel setting applied process-wide; Auto on CUDA measures the transformer's
// self-attention once per device, dtype and shape (cached) and puts the fastest kernel first. Returns the
// kernel setting in effect ("measured: flash", "libtorch", "math", ...), for reports.
std::string applyAttentionSetting(const LoadedModels& models);

// Where the plan wants the models before the text encoder runs (Swapped: the transformer leaves first; the
// text encoder comes to the device) and before sampling (the transformer on the device; the text encoder on
// the host unless AllResident). Moves only what is elsewhere, and hands the freed blocks back to the device.
void placeForEncoding(const LoadedModels& models, ModelPlacement placement);
void placeForSampling(const LoadedModels& models, ModelPlacement placement);

} // namespace lumina::pipeline
