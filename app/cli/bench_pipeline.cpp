// `lumina-cli bench --component pipeline`: one whole image (encode, CFG steps, decode) through the engine
// exactly as `generate` runs it, after warm-up runs at the same size, with peak memory with and without the
// weights. Used by tools/device-check.sh next to diffusers' LuminaPipeline on the same folder.
#include "app/cli/bench.h"
#include "app/cli/bench_memory.h"
#include "core/engine/lumina_engine.h"
#include "core/pipeline/request.h"
#include "core/util/errors.h"

#include <chrono>
#include <torch/torch.h>

namespace lumina::cli {
namespace {

void synchronize(c10::Device device) {
    if (device.is_cuda()) torch::cuda::synchronize();
    if (device.is_mps()) torch::mps::synchronize();
}

nlohmann::json runPipelineBench(const Arguments& args) {
    const auto folder = args.required("config");
    const auto device = parseDeviceChoice(args.choice("device", {"cpu", "cuda", "mps"}, "cuda"), "--device");
    const auto precision = parsePrecision(args.choice("dtype", {"fp32", "bf16", "fp16"}, "bf16"), "--dtype");
    const int64_t width = args.intValue("width", 1024), height = args.intValue("height", 1024);
    const int64_t steps = args.intValue("steps", 4), warmup = args.intValue("warmup", 2);
    const int64_t warmupSteps = args.intValue("warmup-steps", 1);
    const auto attention = parseAttentionBackend(
        args.choice("attention", {"auto", "libtorch", "math", "flash", "efficient", "cudnn"}, "auto"),
        "--attention");
    if (steps < 1 || warmup < 0 || warmupSteps < 1)
        throw UsageError("--steps/--warmup-steps >= 1, --warmup >= 0");

    engine::LuminaEngine engine;
    const auto loadStart = std::chrono::steady_clock::now();
    engine::ModelLoadOptions loadOptions;
    loadOptions.device = device;
    loadOptions.precision = precision;
    loadOptions.attention = attention;
    const double memoryLimitGiB = args.doubleValue("memory-limit", 0);
    if (memoryLimitGiB < 0) throw UsageError("--memory-limit must be a size in GiB (0: no limit)");
    loadOptions.memoryLimitBytes = static_cast<uint64_t>(memoryLimitGiB * double(uint64_t{1} << 30));
    engine.loadModel(folder, loadOptions, {});
    const double loadSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - loadStart).count();
    const c10::Device torchDevice(engine.deviceName());
    synchronize(torchDevice);
    const int64_t hostPeakAfterLoad = procStatusBytes("VmHWM:");

    pipeline::GenerationRequest r;
    r.preset = "diffusers";
    r.sampling = pipeline::presetSettings("diffusers");
    r.prompt = args.valueOr("prompt", "a photo of a red fox in the snow, golden hour");
    r.width = static_cast<int>(width);
    r.height = static_cast<int>(height);
    r.seed = 0;
    r.diffusersPromptPreprocess = true;
    pipeline::GenerationCallbacks quiet;
    quiet.wantPreviews = false;
    // Warm-ups at the same size (kernel selection, allocator growth), fewer steps; then the timed run.
    r.sampling.steps = static_cast<int>(warmupSteps);
    for (int64_t i = 0; i < warmup; ++i)
        engine.generate(r, quiet, CancelToken());
    r.sampling.steps = static_cast<int>(steps);
    synchronize(torchDevice);
    const auto plan = engine.planMemory(r.width, r.height, true);
    const PeakMemoryProbe memory(torchDevice);
    const auto out = engine.generate(r, quiet, CancelToken());
    synchronize(torchDevice);
    return {{"component", "pipeline"},
            {"config", folder},
            {"device", out.device},
            {"dtype", out.precision},
            {"attention", out.attention},
            {"memory_limit_bytes", loadOptions.memoryLimitBytes},
            {"memory_plan_placement", plan ? pipeline::toString(plan->placement) : "none"},
            {"memory_plan_peak_bytes", plan ? plan->peakBytes : 0},
            {"width", width},
            {"height", height},
            {"steps", steps},
            {"warmup_runs", warmup},
            {"warmup_steps", warmupSteps},
            {"load_seconds", loadSeconds},
            {"encode_seconds", out.encodeMs / 1000.0},
            {"sampling_seconds", out.samplingMs / 1000.0},
            {"seconds_per_step", out.samplingMs / 1000.0 / static_cast<double>(steps)},
            {"decode_seconds", out.decodeMs / 1000.0},
            {"total_seconds", out.totalMs / 1000.0},
            {"peak_memory_bytes", memory.peakBytes()},
            {"peak_memory_total_bytes", memory.totalPeakBytes()},
            {"peak_memory_kind", memory.kind()},
            {"host_peak_rss_after_load_bytes", hostPeakAfterLoad},
            {"host_peak_rss_bytes", procStatusBytes("VmHWM:")}};
}

const BenchRegistration registration{BenchComponent{
    "pipeline",
    {"config", "device", "dtype", "width", "height", "steps", "warmup", "warmup-steps", "attention",
     "memory-limit", "prompt"},
    {},
    "pipeline: --config DIR [--width 1024] [--height 1024] [--steps 4] [--warmup 2] [--warmup-steps 1]\n"
    "  [--dtype bf16|fp32|fp16] [--device cuda|cpu|mps] [--attention "
    "auto|libtorch|math|flash|efficient|cudnn] [--memory-limit GIB (0: none)]\n"
    "  One whole image (diffusers preset, CFG) after --warmup runs of --warmup-steps steps at the same "
    "size.\n"
    "  peak_memory_bytes: growth during the timed run (without weights); peak_memory_total_bytes: with "
    "them.\n",
    runPipelineBench}};

} // namespace
} // namespace lumina::cli
