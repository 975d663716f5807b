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

namespace {

// One network to load, its share of the progress bar (bytes) and how.
struct PartLoad {
    const char* label;
    uint64_t bytes;
    c10::ScalarType dtype;
    std::function<void(const io::LoadOptions&)> load;
};

// Loads the parts in order with one progress bar from 0 to their total, each part moving it over its share.
void loadParts(const LoadedModels& models, const std::vector<PartLoad>& parts,
               const io::LoadProgress& progress) {
    uint64_t total = 0;
    for (const auto& part : parts)
        total += part.bytes;
    uint64_t before = 0;
    for (const auto& part : parts) {
        io::LoadOptions o;
        o.device = models.device;
        o.dtype = part.dtype;
        o.componentLabel = part.label;
        if (progress)
            o.progress = [progress, before, share = part.bytes, total](uint64_t done, uint64_t partTotal) {
                const uint64_t moved = partTotal == 0 ? share
                                                      : static_cast<uint64_t>(static_cast<double>(share) *
                                                                              std::min(done, partTotal) /
                                                                              static_cast<double>(partTotal));
                progress(before + moved, total);
            };
        const auto start = std::chrono::steady_clock::now();
        part.load(o);
        log::info("loaded {} in {:.1f} s", part.label,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        before += part.bytes;
    }
    if (progress) progress(total, total);
}

// The scheduler_config.json that Alpha-VLLM/Lumina-Image-2.0 ships (FlowMatchEulerDiscreteScheduler, shift 6,
// no dynamic shifting), for single files, which carry no scheduler config (docs/lumina2.md, Single-file
// weights).
sampling::FlowMatchEulerConfig publishedLumina2Scheduler() {
    sampling::FlowMatchEulerConfig c;
    c.numTrainTimesteps = 1000;
    c.shift = 6.0;
    c.useDynamicShifting = false;
    return c;
}

// The tensor bytes of one part of a single file (the tensors under its prefix).
uint64_t partBytes(const models::Lumina2FilePart& part) {
    const auto weights = io::WeightSet::open(part.file);
    uint64_t bytes = 0;
    for (const auto& [name, entry] : weights.entries())
        if (name.rfind(part.prefix, 0) == 0) bytes += entry.info->byteSize();
    return bytes;
}

void loadPipelineFolder(LoadedModels& m, const std::string& folderOrRepoId,
                        const io::LoadProgress& progress) {
    m.checkpoint = io::locateCheckpoint(folderOrRepoId);
    const auto& cp = m.checkpoint;
    m.name = cp.root.filename().string();
    if (m.name.rfind("snapshots", 0) == 0 || cp.root.parent_path().filename() == "snapshots")
        m.name = cp.root.parent_path().parent_path().filename().string();
    m.family = cp.family;
    m.textEncoderIdentity = cp.component("text_encoder").folder.string();
    m.tokenizer = std::make_shared<const text::GemmaTokenizer>(
        text::GemmaTokenizer::load(cp.component("tokenizer").folder));
    m.scheduler =
        sampling::FlowMatchEulerConfig::load(cp.component("scheduler").folder / "scheduler_config.json");

    const auto folder = [&](const char* name) { return cp.component(name).folder; };
    const auto bytes = [&](const char* name) { return io::WeightSet::openFolder(folder(name)).totalBytes(); };
    loadParts(
        m,
        {{"text encoder", bytes("text_encoder"), m.textEncoderDtype,
          [&](const io::LoadOptions& o) { m.textEncoder = models::loadGemma(folder("text_encoder"), o); }},
         {"transformer", bytes("transformer"), m.dtype,
          [&](const io::LoadOptions& o) {
              if (m.family == ModelFamily::Lumina2)
                  m.lumina2 = models::loadLumina2Transformer(folder("transformer"), o);
              else
                  m.transformer = models::loadNextDiT(folder("transformer"), o);
          }},
         {"VAE", bytes("vae"), m.vaeDtype,
          [&](const io::LoadOptions& o) { m.vae = models::loadVAE(folder("vae"), o); }}},
        progress);
}

// Lumina-Image 2.0 from single files: every part found by its tensor names and checked before any is loaded.
void loadSingleFiles(LoadedModels& m, const ModelSource& source, const io::LoadProgress& progress) {
    const auto files = models::resolveLumina2Files(fileSelection(source));
    models::validateLumina2Files(files);
    m.family = ModelFamily::Lumina2;
    m.checkpoint.root = source.model.empty() ? files.transformer.file : std::filesystem::path(source.model);
    m.checkpoint.family = ModelFamily::Lumina2;
    m.checkpoint.origin = "single files";
    m.name = m.checkpoint.root.stem().string();
    m.textEncoderIdentity = files.textEncoder.file.string() + "#" + files.textEncoder.prefix;
    m.tokenizer = std::make_shared<const text::GemmaTokenizer>(models::loadLumina2TokenizerPart(files));
    m.scheduler = publishedLumina2Scheduler();
    loadParts(
        m,
        {{"text encoder", partBytes(files.textEncoder), m.textEncoderDtype,
          [&](const io::LoadOptions& o) { m.textEncoder = models::loadLumina2TextEncoderPart(files, o); }},
         {"transformer", partBytes(files.transformer), m.dtype,
          [&](const io::LoadOptions& o) { m.lumina2 = models::loadLumina2TransformerPart(files, o); }},
         {"VAE", partBytes(files.vae), m.vaeDtype,
          [&](const io::LoadOptions& o) { m.vae = models::loadLumina2VAEPart(files, o); }}},
        progress);
}

} // namespace

std::shared_ptr<const LoadedModels> loadModels(const ModelSource& source, DeviceChoice deviceChoice,
                                               Precision precision, const io::LoadProgress& progress,
                                               const EngineSettings& settings) {
    checkModelSource(source);
    auto models = std::make_shared<LoadedModels>();
    models->memoryLimitBytes = settings.memoryLimitBytes;
    models->attention = settings.attention;
    models->attentionCacheFile = settings.attentionCacheFile;
    models->device = resolveDevice(deviceChoice);
    models->dtype = resolvePrecision(precision, models->device);
    models->vaeDtype = models->dtype == c10::kHalf ? c10::kFloat : models->dtype;
    models->textEncoderDtype = models->dtype == c10::kHalf ? c10::kFloat : models->dtype;
    if (models->dtype == c10::kHalf)
        log::warn("Gemma and the VAE overflow in fp16: they run in fp32, the transformer in fp16");

    if (source.isSingleFiles())
        loadSingleFiles(*models, source, progress);
    else
        loadPipelineFolder(*models, source.model, progress);
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
