// `lumina-cli bench --component vae`: times one latents->image decode (decodeLatentsToImage: unscale, decode,
// [0,1] mapping), untiled or tiled, on the real SDXL VAE config with random weights or a vae/ folder.
#include "app/cli/bench.h"
#include "app/cli/bench_memory.h"
#include "core/models/vae/vae_decode.h"
#include "core/util/errors.h"

#include <c10/core/CachingDeviceAllocator.h>
#include <chrono>
#include <fmt/format.h>
#include <fstream>
#include <string>
#include <torch/torch.h>

namespace lumina::cli {
namespace {

using models::AutoencoderKLImpl;

// Random weights with the real shapes: norms 1 / 0, other tensors N(0, 1/sqrt(fan_in)) so activations keep
// a realistic scale through the 30+ convolutions (no NaN/denormal slow paths in the timing).
std::shared_ptr<AutoencoderKLImpl> randomVAE(const models::VAEConfig& config, c10::Device device,
                                             at::ScalarType dtype) {
    auto vae = std::make_shared<AutoencoderKLImpl>(config, at::TensorOptions().dtype(at::kFloat));
    torch::NoGradGuard noGrad;
    torch::manual_seed(0);
    for (auto& p : vae->named_parameters()) {
        auto& t = p.value();
        const bool norm = p.key().find("norm") != std::string::npos;
        if (norm)
            t.fill_(p.key().ends_with("weight") ? 1.0 : 0.0);
        else if (t.dim() == 1)
            t.zero_();
        else
            t.normal_(0.0, 1.0 / std::sqrt(static_cast<double>(t.numel() / t.size(0))));
        t.set_data(t.to(device, dtype));
    }
    vae->eval();
    return vae;
}

nlohmann::json runVAEBench(const Arguments& args) {
    const auto configArg = args.required("config");
    const auto deviceName = args.choice("device", {"cpu", "cuda"}, "cpu");
    const auto dtypeName = args.choice("dtype", {"fp32", "bf16"}, "fp32");
    const int64_t width = args.intValue("width", 1024), height = args.intValue("height", 1024);
    const int64_t repeat = args.intValue("repeat", 1), threads = args.intValue("threads", 0);
    const int64_t warmup = args.intValue("warmup", 0);
    const bool tiled = args.flag("tiled");
    if (threads > 0) at::set_num_threads(static_cast<int>(threads));
    if (deviceName == "cuda" && !torch::cuda::is_available())
        throw InvalidRequest("bench: --device cuda, but CUDA is not available");
    const c10::Device device(deviceName);
    const auto dtype = dtypeName == "bf16" ? at::kBFloat16 : at::kFloat;

    std::shared_ptr<AutoencoderKLImpl> vae;
    if (configArg == "real-sdxl") {
        vae = randomVAE(models::VAEConfig::sdxl(), device, dtype);
    } else if (std::filesystem::exists(std::filesystem::path(configArg) / "config.json") &&
               !std::filesystem::exists(std::filesystem::path(configArg) /
                                        "diffusion_pytorch_model.safetensors") &&
               !std::filesystem::exists(std::filesystem::path(configArg) /
                                        "diffusion_pytorch_model.safetensors.index.json")) {
        vae = randomVAE(models::VAEConfig::fromFile(std::filesystem::path(configArg) / "config.json"), device,
                        dtype);
    } else {
        io::LoadOptions options;
        options.device = device;
        options.dtype = dtype;
        vae = models::loadVAE(configArg, options);
    }
    const int64_t f = vae->config().spatialFactor();
    if (width <= 0 || height <= 0 || width % f || height % f)
        throw UsageError(fmt::format("--width and --height must be positive multiples of {}", f));
    if (repeat < 1) throw UsageError("--repeat must be >= 1");
    models::TiledDecodeOptions options;
    options.mode = tiled ? VAETiling::Always : VAETiling::Never;
    options.tileLatent = args.intValue("tile", 0);
    options.overlapLatent = args.intValue("overlap", -1);
    options.wholeImageUpBlocks = static_cast<int>(args.intValue("whole-blocks", -1));
    options.statistics = args.choice("statistics", {"exact", "approximate"}, "exact") == "exact"
                             ? models::TiledDecodeOptions::Statistics::Exact
                             : models::TiledDecodeOptions::Statistics::Approximate;

    torch::manual_seed(0);
    const auto latents =
        torch::randn({1, vae->config().latentChannels, height / f, width / f}).to(device, dtype);
    if (warmup < 0) throw UsageError("--warmup must be >= 0");
    for (int64_t i = 0; i < warmup; ++i) {
        c10::InferenceMode inference;
        models::decodeLatentsToImage(*vae, latents, options);
    }
    if (device.is_cuda()) torch::cuda::synchronize();
    const PeakMemoryProbe memory(device);
    std::vector<double> times;
    for (int64_t i = 0; i < repeat; ++i) {
        const auto start = std::chrono::steady_clock::now();
        c10::InferenceMode inference;
        const auto image = models::decodeLatentsToImage(*vae, latents, options);
        if (device.is_cuda()) torch::cuda::synchronize();
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    const int64_t peak = memory.peakBytes();
    const std::string peakKind = memory.kind();
    std::sort(times.begin(), times.end());
    const auto plan = models::planTiledDecode(vae->config(), 1, height / f, width / f,
                                              static_cast<int>(c10::elementSize(dtype)),
                                              models::decodeMemoryBudget(device), options);
    return {
        {"component", "vae"},
        {"config", configArg},
        {"device", device.str()},
        {"dtype", dtypeName},
        {"width", width},
        {"height", height},
        {"tiled", tiled},
        {"tile_latent", tiled ? plan.tileLatent : 0},
        {"overlap_latent", tiled ? plan.overlapLatent : 0},
        {"whole_image_up_blocks", tiled ? plan.wholeImageUpBlocks : 0},
        {"statistics", tiled ? args.choice("statistics", {"exact", "approximate"}, "exact") : "none"},
        {"estimated_tiled_bytes", tiled ? plan.estimatedBytes : 0},
        {"threads", at::get_num_threads()},
        {"repeat", repeat},
        {"seconds_per_step", times[times.size() / 2]},
        {"seconds_min", times.front()},
        {"warmup", warmup},
        {"peak_memory_bytes", peak},
        {"peak_memory_total_bytes", memory.totalPeakBytes()},
        {"peak_memory_kind", peakKind},
        {"output_image_bytes", width * height * 3 * 4},
        {"estimated_untiled_bytes", models::estimateDecodeBytes(vae->config(), height / f, width / f,
                                                                static_cast<int>(c10::elementSize(dtype)))}};
}

const BenchRegistration registration{BenchComponent{
    "vae",
    {"config", "device", "dtype", "width", "height", "tile", "overlap", "whole-blocks", "statistics",
     "repeat", "threads", "warmup"},
    {"tiled"},
    "vae: --config real-sdxl|DIR [--width 1024] [--height 1024]\n"
    "  [--tiled [--tile N] [--overlap N] [--whole-blocks N] [--statistics exact|approximate]]\n"
    "  [--dtype fp32|bf16] [--device cpu|cuda] [--repeat 1] [--warmup 0] [--threads N]\n"
    "  Times one latents->image decode (median over --repeat). real-sdxl, or a DIR with only config.json:\n"
    "  random weights. seconds_per_step = decode time.\n",
    runVAEBench}};

} // namespace
} // namespace lumina::cli
