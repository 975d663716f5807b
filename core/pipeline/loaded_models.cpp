#include "core/pipeline/loaded_models.h"

#include "core/models/common/attention_choice.h"
#include "core/models/vae/vae_decode.h"
#include "core/util/errors.h"
#include "core/util/log.h"

#include <fmt/format.h>
#include <torch/torch.h>

namespace lumina::pipeline {

c10::Device resolveDevice(DeviceChoice choice) {
    switch (choice) {
    case DeviceChoice::Auto:
        if (torch::cuda::is_available()) return c10::Device(c10::kCUDA, 0);
        if (torch::mps::is_available()) return c10::Device(c10::kMPS);
        return c10::kCPU;
    case DeviceChoice::CPU:
        return c10::kCPU;
    case DeviceChoice::CUDA:
        if (!torch::cuda::is_available())
            throw InvalidRequest(
                "device cuda was asked for, but no CUDA GPU is available (choose auto or cpu)");
        return c10::Device(c10::kCUDA, 0);
    case DeviceChoice::MPS:
        if (!torch::mps::is_available())
            throw InvalidRequest(
                "device mps was asked for, but Apple MPS is not available (choose auto or cpu)");
        return c10::Device(c10::kMPS);
    }
    return c10::kCPU;
}

c10::ScalarType resolvePrecision(Precision precision, c10::Device device) {
    switch (precision) {
    case Precision::Auto:
        return device.is_cpu() ? c10::kFloat : c10::kBFloat16;
    case Precision::FP32:
        return c10::kFloat;
    case Precision::BF16:
        return c10::kBFloat16;
    case Precision::FP16:
        return c10::kHalf;
    }
    return c10::kFloat;
}

std::string deviceLabel(c10::Device device) {
    return device.str();
}

std::string dtypeLabel(c10::ScalarType dtype) {
    switch (dtype) {
    case c10::kFloat:
        return toString(Precision::FP32);
    case c10::kBFloat16:
        return toString(Precision::BF16);
    case c10::kHalf:
        return toString(Precision::FP16);
    default:
        return c10::toString(dtype);
    }
}

std::shared_ptr<const LoadedModels> loadModels(const std::string& folderOrRepoId, DeviceChoice deviceChoice,
                                               Precision precision, const io::LoadProgress& progress,
                                               const EngineSettings& settings) {
    auto models = std::make_shared<LoadedModels>();
    models->memoryLimitBytes = settings.memoryLimitBytes;
    models->attention = settings.attention;
    models->attentionCacheFile = settings.attentionCacheFile;
    models->checkpoint = io::locateCheckpoint(folderOrRepoId);
    models->name = models->checkpoint.root.filename().string();
    if (models->name.rfind("snapshots", 0) == 0 ||
        models->checkpoint.root.parent_path().filename() == "snapshots")
        models->name = models->checkpoint.root.parent_path().parent_path().filename().string();
    models->device = resolveDevice(deviceChoice);
    models->dtype = resolvePrecision(precision, models->device);
    models->vaeDtype = models->dtype == c10::kHalf ? c10::kFloat : models->dtype;
    models->textEncoderDtype = models->dtype == c10::kHalf ? c10::kFloat : models->dtype;
    if (models->dtype == c10::kHalf)
        log::warn("Gemma and the VAE overflow in fp16: they run in fp32, the transformer in fp16");

    const auto& cp = models->checkpoint;
    models->family = cp.family;
    models->tokenizer = std::make_shared<const text::GemmaTokenizer>(
        text::GemmaTokenizer::load(cp.component("tokenizer").folder));
    models->scheduler =
        sampling::FlowMatchEulerConfig::load(cp.component("scheduler").folder / "scheduler_config.json");

    // Progress over all three networks: sizes first, so the bar moves once from 0 to the total.
    const auto encoderWeights = io::WeightSet::openFolder(cp.component("text_encoder").folder);
    const auto transformerWeights = io::WeightSet::openFolder(cp.component("transformer").folder);
    const auto vaeWeights = io::WeightSet::openFolder(cp.component("vae").folder);
    const uint64_t total =
        encoderWeights.totalBytes() + transformerWeights.totalBytes() + vaeWeights.totalBytes();
    uint64_t before = 0;
    auto options = [&](c10::ScalarType dtype, const char* label) {
        io::LoadOptions o;
        o.device = models->device;
        o.dtype = dtype;
        o.componentLabel = label;
        const uint64_t offset = before;
        if (progress)
            o.progress = [progress, offset, total](uint64_t done, uint64_t) {
                progress(offset + done, total);
            };
        return o;
    };
    auto timed = [&](const char* label, auto&& fn) {
        const auto start = std::chrono::steady_clock::now();
        fn();
        log::info("loaded {} in {:.1f} s", label,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    };
    timed("text encoder", [&] {
        models->textEncoder = models::loadGemma(cp.component("text_encoder").folder,
                                                options(models->textEncoderDtype, "text_encoder"));
    });
    before += encoderWeights.totalBytes();
    timed("transformer", [&] {
        const auto folder = cp.component("transformer").folder;
        if (models->family == ModelFamily::Lumina2)
            models->lumina2 = models::loadLumina2Transformer(folder, options(models->dtype, "transformer"));
        else
            models->transformer = models::loadNextDiT(folder, options(models->dtype, "transformer"));
    });
    before += transformerWeights.totalBytes();
    timed("VAE", [&] {
        models->vae = models::loadVAE(cp.component("vae").folder, options(models->vaeDtype, "vae"));
    });
    if (progress) progress(total, total);
    log::info("{} model {} ready on {} in {}", displayName(models->family), models->name,
              deviceLabel(models->device), dtypeLabel(models->dtype));
    return models;
}

namespace {

struct ModuleBytes {
    uint64_t params = 0;
    uint64_t bytes = 0;
};

ModuleBytes measure(const torch::nn::Module& module) {
    ModuleBytes m;
    for (const auto& p : module.parameters()) {
        m.params += static_cast<uint64_t>(p.numel());
        m.bytes += static_cast<uint64_t>(p.nbytes());
    }
    for (const auto& b : module.buffers())
        m.bytes += static_cast<uint64_t>(b.nbytes());
    return m;
}

bool onDevice(const torch::nn::Module& module, c10::Device device) {
    const auto params = module.parameters();
    return params.empty() || params.front().device() == device;
}

uint64_t residentBytes(const LoadedModels& m) {
    uint64_t resident = measure(*m.vae).bytes;
    if (onDevice(m.transformerModule(), m.device)) resident += measure(m.transformerModule()).bytes;
    if (onDevice(*m.textEncoder, m.device)) resident += measure(*m.textEncoder).bytes;
    return resident;
}

void moveModule(torch::nn::Module& module, c10::Device device, const char* label) {
    if (onDevice(module, device)) return;
    const auto from = module.parameters().front().device();
    const auto start = std::chrono::steady_clock::now();
    module.to(device);
    models::releaseCachedMemory(from);
    log::info("{} moved from {} to {} in {:.2f} s (memory plan)", label, from.str(), device.str(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

// What the memory plan and the attention probe need of either family's transformer.
struct TransformerShape {
    int64_t hiddenSize, patchSize, heads, kvHeads, headDim;
};

TransformerShape transformerShape(const LoadedModels& m) {
    if (m.lumina2) {
        const auto& c = m.lumina2->config();
        return {c.hiddenSize, c.patchSize, c.numAttentionHeads, c.numKvHeads, c.headDim()};
    }
    const auto& c = m.transformer->config();
    return {c.hiddenSize, c.patchSize, c.numAttentionHeads, c.numKvHeads, c.headDim()};
}

} // namespace

torch::nn::Module& LoadedModels::transformerModule() const {
    if (lumina2) return *lumina2;
    return *transformer;
}

ModelFootprint footprintOf(const LoadedModels& m) {
    ModelFootprint f;
    const auto transformer = measure(m.transformerModule()), text = measure(*m.textEncoder),
               vae = measure(*m.vae);
    f.transformerParams = transformer.params;
    f.textEncoderParams = text.params;
    f.vaeParams = vae.params;
    f.transformerWeightBytes = transformer.bytes;
    f.textEncoderWeightBytes = text.bytes;
    f.vaeWeightBytes = vae.bytes;
    const auto shape = transformerShape(m);
    f.hiddenSize = shape.hiddenSize;
    f.patchSize = shape.patchSize;
    f.textHiddenSize = m.textEncoder->config().hiddenSize;
    f.textIntermediateSize = m.textEncoder->config().intermediateSize;
    f.vae = m.vae->config();
    f.elementBytes = static_cast<int>(c10::elementSize(m.dtype));
    f.vaeElementBytes = static_cast<int>(c10::elementSize(m.vaeDtype));
    return f;
}

uint64_t runMemoryBudget(const LoadedModels& m) {
    const uint64_t budget = models::decodeMemoryBudget(m.device) + residentBytes(m);
    return m.memoryLimitBytes > 0 ? std::min(budget, m.memoryLimitBytes) : budget;
}

uint64_t decodeBudget(const LoadedModels& m) {
    const uint64_t budget = runMemoryBudget(m), resident = residentBytes(m);
    return budget > resident ? budget - resident : 0;
}

MemoryPlan planRunMemory(const LoadedModels& m, int width, int height, bool guided) {
    return planMemory(footprintOf(m), width, height, guided, !m.device.is_cpu(), runMemoryBudget(m));
}

std::string applyAttentionSetting(const LoadedModels& m) {
    const auto shape = transformerShape(m);
    models::AttentionProbe probe;
    probe.device = m.device;
    probe.dtype = m.dtype;
    probe.heads = shape.heads;
    probe.kvHeads = shape.kvHeads;
    probe.headDim = shape.headDim;
    return models::useAttentionSetting(m.attention, probe,
                                       m.attentionCacheFile.empty()
                                           ? models::defaultAttentionCacheFile()
                                           : std::filesystem::path(m.attentionCacheFile));
}

void placeForEncoding(const LoadedModels& m, ModelPlacement placement) {
    if (placement == ModelPlacement::Swapped) moveModule(m.transformerModule(), c10::kCPU, "transformer");
    moveModule(*m.textEncoder, m.device, "text encoder");
}

void placeForSampling(const LoadedModels& m, ModelPlacement placement) {
    if (placement != ModelPlacement::AllResident) moveModule(*m.textEncoder, c10::kCPU, "text encoder");
    moveModule(m.transformerModule(), m.device, "transformer");
}

} // namespace lumina::pipeline
