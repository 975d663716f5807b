// `lumina-cli bench --component transformer`: times one sampling step's transformer call of either family,
// NextDiTModel::forward (the real 2B config) or Lumina2TransformerImpl::forward (the real Lumina-Image 2.0
// config), with random weights, or a transformer folder's weights (the family from its config class).
#include "app/cli/bench.h"
#include "app/cli/bench_memory.h"
#include "core/io/json_file.h"
#include "core/models/common/attention_backend.h"
#include "core/models/common/attention_choice.h"
#include "core/models/lumina2/lumina2_model.h"
#include "core/models/next_dit/next_dit_model.h"
#include "core/util/errors.h"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <fstream>
#include <string>
#include <sys/resource.h>
#include <torch/torch.h>

namespace lumina::cli {
namespace {

using models::NextDiTModelImpl;

c10::Device parseDevice(const std::string& name) {
    if (name == "cuda" && !torch::cuda::is_available())
        throw InvalidRequest("bench: --device cuda, but CUDA is not available");
    if (name == "mps" && !torch::mps::is_available())
        throw InvalidRequest("bench: --device mps, but MPS is not available");
    return c10::Device(name);
}

at::ScalarType parseDtype(const std::string& name) {
    return name == "bf16" ? at::kBFloat16 : name == "fp16" ? at::kHalf : at::kFloat;
}

// Small random weights: norms near 1, the rest N(0, 0.02).
void randomize(torch::nn::Module& model) {
    torch::NoGradGuard noGrad;
    for (auto& p : model.named_parameters()) {
        const auto& key = p.key();
        const bool normWeight = p.value().dim() == 1 && key.find("norm") != std::string::npos &&
                                key.size() >= 6 && key.compare(key.size() - 6, 6, "weight") == 0;
        if (normWeight)
            p.value().normal_(1.0, 0.02);
        else
            p.value().normal_(0.0, 0.02);
    }
}

// The real 2B model with random weights, attn2's query copied from attn1 as in the published checkpoint (so
// the shared-query path is the one timed).
std::shared_ptr<NextDiTModelImpl> randomReal2B(c10::Device device, at::ScalarType dtype) {
    auto model = std::make_shared<NextDiTModelImpl>(models::nextDiT2BConfig(),
                                                    at::TensorOptions().dtype(dtype).device(device));
    randomize(*model);
    torch::NoGradGuard noGrad;
    auto params = model->named_parameters();
    for (auto& p : params) {
        const auto& key = p.key();
        if (key.find("attn2.to_q") != std::string::npos || key.find("attn2.norm_q") != std::string::npos) {
            std::string src = key;
            src.replace(src.find("attn2"), 5, "attn1");
            p.value().copy_(params[src]);
        }
    }
    model->finishLoading();
    return model;
}

// User + system CPU time of the process: on a shared machine the robust measure of the work done.
double processCpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

void synchronize(c10::Device device) {
    if (device.is_cuda()) torch::cuda::synchronize();
    if (device.is_mps()) torch::mps::synchronize();
}

// One family's transformer behind the timing loop: what the loop needs of its shapes, its caption preparation
// (once per generation) and one step's forward.
struct TimedTransformer {
    ModelFamily family = ModelFamily::LuminaNext;
    std::shared_ptr<torch::nn::Module> module;
    int64_t inChannels = 0, captionDim = 0, heads = 0, kvHeads = 0, headDim = 0, sharedQueryBlocks = 0;
    std::function<void(const at::Tensor&, const at::Tensor&)> prepareCaption;
    std::function<at::Tensor(const at::Tensor&, const at::Tensor&)> forward;
    // A second caption row padded as its pipeline pads (LuminaPipeline: left; Lumina2Pipeline: right).
    std::function<void(at::Tensor&)> padSecondRow;
};

TimedTransformer timedNextDiT(std::shared_ptr<NextDiTModelImpl> model) {
    const auto& c = model->config();
    TimedTransformer t{ModelFamily::LuminaNext,
                       model,
                       c.inChannels,
                       c.crossAttentionDim,
                       c.numAttentionHeads,
                       c.numKvHeads,
                       c.headDim(),
                       model->sharedQueryBlocks(),
                       {},
                       {},
                       {}};
    auto caption = std::make_shared<models::NextDiTCaption>();
    models::NextDiTStepOptions step;
    const int64_t base = c.sampleSize / 2; // pipeline: (default_image_size // 16) ** 2
    step.baseSequenceLength = base * base;
    t.prepareCaption = [model, caption](const at::Tensor& f, const at::Tensor& m) {
        *caption = model->prepareCaption(f, m);
    };
    t.forward = [model, caption, step](const at::Tensor& x, const at::Tensor& time) {
        return model->forward(x, time, *caption, step);
    };
    t.padSecondRow = [](at::Tensor& mask) { mask[1].slice(0, 0, mask.size(1) / 2).zero_(); };
    return t;
}

TimedTransformer timedLumina2(std::shared_ptr<models::Lumina2TransformerImpl> model) {
    const auto& c = model->config();
    TimedTransformer t{ModelFamily::Lumina2,
                       model,
                       c.inChannels,
                       c.capFeatDim,
                       c.numAttentionHeads,
                       c.numKvHeads,
                       c.headDim(),
                       0,
                       {},
                       {},
                       {}};
    auto caption = std::make_shared<std::optional<models::Lumina2Caption>>();
    t.prepareCaption = [model, caption](const at::Tensor& f, const at::Tensor& m) {
        *caption = model->prepareCaption(f, m);
    };
    t.forward = [model, caption](const at::Tensor& x, const at::Tensor& time) {
        return model->forward(x, time, **caption);
    };
    t.padSecondRow = [](at::Tensor& mask) { mask[1].slice(0, mask.size(1) / 2).zero_(); };
    return t;
}

// real-2b, real-lumina2 (random weights) or a transformer folder, whose config class names the family.
TimedTransformer makeTimedTransformer(const std::string& configArg, c10::Device device,
                                      at::ScalarType dtype) {
    if (configArg == "real-2b") return timedNextDiT(randomReal2B(device, dtype));
    if (configArg == "real-lumina2") {
        auto model = std::make_shared<models::Lumina2TransformerImpl>(
            models::lumina2ImageConfig(), at::TensorOptions().dtype(dtype).device(device));
        randomize(*model);
        return timedLumina2(model);
    }
    io::LoadOptions options;
    options.device = device;
    options.dtype = dtype;
    const auto config = io::JsonConfig::load(std::filesystem::path(configArg) / "config.json");
    if (config.getString("_class_name", "") == "Lumina2Transformer2DModel")
        return timedLumina2(models::loadLumina2Transformer(configArg, options));
    return timedNextDiT(models::loadNextDiT(configArg, options));
}

nlohmann::json runTransformerBench(const Arguments& args) {
    const auto configArg = args.required("config");
    const auto deviceName = args.choice("device", {"cpu", "cuda", "mps"}, "cpu");
    const auto dtypeName = args.choice("dtype", {"fp32", "bf16", "fp16"}, "bf16");
    const int64_t width = args.intValue("width", 1024), height = args.intValue("height", 1024);
    const int64_t batch = args.intValue("batch", 2), steps = args.intValue("steps", 5);
    const int64_t captionLength = args.intValue("caption-length", 128);
    const int64_t threads = args.intValue("threads", 0), warmup = args.intValue("warmup", 1);
    const auto attention = parseAttentionBackend(
        args.choice("attention", {"auto", "libtorch", "math", "flash", "efficient", "cudnn"}, "auto"),
        "--attention");
    if (warmup < 0) throw UsageError("--warmup must be >= 0");
    if (width <= 0 || height <= 0 || width % 16 || height % 16)
        throw UsageError("--width and --height must be positive multiples of 16");
    if (batch < 1 || steps < 1 || captionLength < 1)
        throw UsageError("--batch, --steps, --caption-length must be >= 1");
    if (threads > 0) at::set_num_threads(static_cast<int>(threads));

    const auto device = parseDevice(deviceName);
    const auto dtype = parseDtype(dtypeName);
    const auto loadStart = std::chrono::steady_clock::now();
    const auto model = makeTimedTransformer(configArg, device, dtype);
    synchronize(device);
    const double loadSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - loadStart).count();
    models::AttentionProbe probe;
    probe.device = device;
    probe.dtype = dtype;
    probe.heads = model.heads;
    probe.kvHeads = model.kvHeads;
    probe.headDim = model.headDim;
    const std::string attentionSetting =
        models::useAttentionSetting(attention, probe, models::defaultAttentionCacheFile());

    torch::manual_seed(0);
    const auto opts = at::TensorOptions().dtype(dtype).device(device);
    const auto latents = torch::randn({batch, model.inChannels, height / 8, width / 8}, opts);
    const auto features = torch::randn({batch, captionLength, model.captionDim}, opts);
    auto mask = torch::ones({batch, captionLength}, at::TensorOptions().dtype(at::kLong));
    if (batch > 1) model.padSecondRow(mask);
    const auto timestep = torch::rand({batch}, at::TensorOptions().dtype(at::kFloat)).to(device);

    c10::InferenceMode inference; // as the pipeline runs it
    // The kernel SDPA picks for the self-attention call on these shapes (grouped queries).
    std::string attentionKernel;
    {
        const int64_t tokens = (height / 16) * (width / 16), kv = model.kvHeads, d = model.headDim;
        const auto o = at::TensorOptions().dtype(dtype).device(device);
        const auto q = at::empty({batch, kv, tokens * (model.heads / kv), d}, o);
        const auto k = at::empty({batch, kv, tokens, d}, o);
        attentionKernel = models::attentionKernelFor(q, k, k, std::nullopt, 1.0 / std::sqrt(double(d)));
    }
    const PeakMemoryProbe memory(device);
    // Caption preparation is once per generation; it is timed separately and not part of a step.
    const auto captionStart = std::chrono::steady_clock::now();
    model.prepareCaption(features, mask);
    synchronize(device);
    const double captionSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - captionStart).count();

    std::vector<double> times, cpuTimes;
    for (int64_t i = 0; i < warmup + steps; ++i) { // the first `warmup` calls are not timed
        const auto start = std::chrono::steady_clock::now();
        const double cpuStart = processCpuSeconds();
        const auto out = model.forward(latents, timestep);
        synchronize(device);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (i >= warmup) {
            times.push_back(s);
            cpuTimes.push_back(processCpuSeconds() - cpuStart);
        }
    }

    const int64_t peak = memory.peakBytes();
    const std::string peakKind = memory.kind();

    int64_t params = 0;
    for (const auto& p : model.module->parameters())
        params += p.numel();
    return {{"component", "transformer"},
            {"config", configArg},
            {"model_family", toString(model.family)},
            {"device", device.str()},
            {"dtype", dtypeName},
            {"batch", batch},
            {"width", width},
            {"height", height},
            {"tokens", (height / 16) * (width / 16)},
            {"caption_length", captionLength},
            {"parameters", params},
            {"threads", at::get_num_threads()},
            {"steps", steps},
            {"seconds_per_step", median(times)},
            {"seconds_min", *std::min_element(times.begin(), times.end())},
            {"seconds_max", *std::max_element(times.begin(), times.end())},
            {"cpu_seconds_per_step", median(cpuTimes)},
            {"caption_prepare_seconds", captionSeconds},
            {"load_seconds", loadSeconds},
            {"warmup", warmup},
            {"attention", attentionSetting},
            {"attention_kernel", attentionKernel},
            {"peak_memory_bytes", peak},
            {"peak_memory_total_bytes", memory.totalPeakBytes()},
            {"peak_memory_kind", peakKind},
            {"shared_query_blocks", model.sharedQueryBlocks}};
}

const BenchRegistration registration{BenchComponent{
    "transformer",
    {"config", "device", "dtype", "width", "height", "batch", "steps", "caption-length", "threads", "warmup",
     "attention"},
    {},
    "transformer: --config real-2b|real-lumina2|DIR [--width 1024] [--height 1024] [--batch 2]\n"
    "  [--dtype bf16|fp32|fp16]\n"
    "  [--device cpu|cuda|mps] [--steps 5] [--warmup 1] [--caption-length 128] [--threads N]\n"
    "  [--attention auto|libtorch|math|flash|efficient|cudnn]\n"
    "  Times one transformer forward (median over --steps after --warmup calls): real-2b (Lumina-Next) and\n"
    "  real-lumina2 (Lumina-Image 2.0) with random weights, or a transformer folder of either family.\n",
    runTransformerBench}};

} // namespace
} // namespace lumina::cli
