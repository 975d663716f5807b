// lumina-cli generate: one text-to-image or image-to-image run from the command line (prompt and optionally
// an init image in, picture and/or latents out).
#include "app/cli/commands.h"
#include "app/cli/model_options.h"
#include "app/cli/progress_bar.h"
#include "app/cli/request_options.h"
#include "core/engine/lumina_engine.h"
#include "core/image/image_export.h"
#include "core/io/safetensors_writer.h"
#include "core/pipeline/init_image.h"
#include "core/sampling/guidance.h"
#include "core/util/errors.h"
#include "core/util/log.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace lumina::cli {
namespace {

CancelToken g_cancel;
extern "C" void onInterrupt(int) {
    g_cancel.request(CancelMode::StopNow);
}

std::string usage() {
    return "usage: lumina-cli generate --model DIR|REPO_ID|FILE.safetensors --prompt TEXT [--negative TEXT]\n"
           "    [--preset lumina|diffusers (Lumina-Next) | lumina2-official|diffusers (Lumina-Image 2.0)]\n"
           "    [--settings FILE.json (a settings JSON: a gallery item's, inspect --json's; flags override "
           "it; "
           "then --prompt is optional)]\n"
           "    [--width 1024] [--height 1024] [--steps N] [--guidance G] [--seed N|random]\n"
           "    [--sampler diffusers-euler|euler|midpoint|rk4] [--schedule uniform|sigmoid] [--time-shift "
           "S]\n"
           "    [--sigmoid-kappa K] [--rope-scaling none|linear|ntk|time-aware] [--watershed W]\n"
           "    [--proportional-attention on|off] [--context-drop off|on] [--cfg-channels 3|all]\n"
           "    [--diffusers-preprocess on|off] [--device auto|cpu|cuda|mps] [--dtype auto|fp32|bf16|fp16]\n"
           "    [--vae-tiling auto|always|never] [--vae-tile PIXELS (multiple of 64, 0 = from free memory)]\n"
           "    [--memory-limit GIB (most a run may hold on its device, weights included; default: what is "
           "free)]\n"
           "    [--attention auto|libtorch|math|flash|efficient|cudnn (attention kernel; auto: measured "
           "fastest on CUDA, LibTorch's choice elsewhere)]\n"
           "    [--output FILE.png|.tif|.exr|.jpg|.webp] [--bit-depth 8|16] [--save-latents "
           "FILE.safetensors]\n"
           "    [--init-image FILE [--strength S (0 < S <= 1, default 0.6)] [--resize fit|crop]]\n"
           "    [--json] [--quiet]\n"
           "  Lumina-Image 2.0 only: [--system-prompt TEXT (default: the model's)] [--cfg-normalization "
           "off|rows|clip]\n"
           "    [--cfg-trunc RATIO (0..1: steps past this share run unguided)] [--lora FILE[:SCALE] "
           "(repeatable)]\n" +
           modelOptionsUsage() +
           "--init-image starts from that picture (image-to-image): fit resamples it to --width x --height, "
           "crop\n"
           "cuts the centred part of that aspect ratio first; strength 1 starts from pure noise.\n"
           "The model family is read from the model's files. Explicit options override the preset (default: "
           "lumina for\n"
           "Lumina-Next, lumina2-official for Lumina-Image 2.0). Exit codes: 0 done, 2 bad arguments, 3 "
           "model or\n"
           "file error, 4 out of memory, 130 cancelled (Ctrl-C; nothing is written).\n";
}

int run(const std::vector<std::string>& args) {
    auto valueOptions = requestValueOptions();
    valueOptions.insert({"output", "save-latents", "bit-depth", "attention"});
    valueOptions.merge(modelValueOptions());
    Arguments a(args, valueOptions, {"json", "quiet"}, requestRepeatedOptions());
    const auto source = modelSourceFromArguments(a);
    // The family decides the presets and settings on offer: read from the model's files (model_index.json, or
    // the transformer file's tensor names), before any weights are loaded. A model that cannot be read is
    // reported by the load, after the arguments are checked; single files are Lumina-Image 2.0 until then.
    ModelFamily family = source.isSingleFiles() ? ModelFamily::Lumina2 : ModelFamily::LuminaNext;
    try {
        family = pipeline::detectModelFamily(source);
    } catch (const ModelLoadError&) {
    }
    auto request = requestFromArguments(a, family);
    pipeline::validateRequest(request);

    // The init image and every output are checked before any model work starts.
    if (request.initImage.enabled()) (void)pipeline::loadInitImage(request.initImage.path);
    std::optional<std::filesystem::path> output, latentsFile;
    if (auto o = a.value("output")) output = *o;
    if (auto l = a.value("save-latents")) latentsFile = *l;
    const int bitDepth = static_cast<int>(a.intValue("bit-depth", 8));
    if (bitDepth != 8 && bitDepth != 16) throw UsageError("--bit-depth must be 8 or 16");
#ifdef LUMINA_WITH_OIIO
    if (output) image::checkOutputPath(*output);
#else
    if (output)
        throw UsageError(
            "this lumina-cli was built without OpenImageIO (LUMINA_WITH_OIIO=OFF): it cannot write "
            "images; use --save-latents FILE.safetensors");
#endif
    if (latentsFile) {
        if (latentsFile->extension() != ".safetensors")
            throw UsageError(
                fmt::format("--save-latents must name a .safetensors file, not '{}'", latentsFile->string()));
        const auto dir =
            latentsFile->parent_path().empty() ? std::filesystem::path(".") : latentsFile->parent_path();
        if (!std::filesystem::is_directory(dir))
            throw InvalidRequest(fmt::format("--save-latents: folder {} does not exist", dir.string()));
    }
    if (!output && !latentsFile && !a.flag("json"))
        throw UsageError("nothing to write: give --output FILE and/or --save-latents FILE (or --json)");

    const bool quiet = a.flag("quiet");
    engine::LuminaEngine engine;
    ProgressBar bar(quiet);
    const engine::ModelLoadOptions loadOptions = loadOptionsFromArguments(a);
    const auto loadStart = std::chrono::steady_clock::now();
    engine.loadModel(source, loadOptions, [&](uint64_t done, uint64_t total) { bar.loading(done, total); });
    bar.finishLine();
    const double loadMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - loadStart).count();

    std::signal(SIGINT, onInterrupt);
    pipeline::GenerationCallbacks callbacks;
    callbacks.onStep = [&](const pipeline::StepProgress& p, const image::Rgb8Image*) { bar.step(p); };
    callbacks.wantPreviews = false; // the progress bar shows none: no preview is computed or copied

    // The plan the run follows (the pipeline computes it again from the same free memory).
    const auto memory = engine.planMemory(request.width, request.height,
                                          sampling::guidanceEnabled(request.sampling.guidanceScale));
    auto result = engine.generate(request, callbacks, g_cancel);
    std::signal(SIGINT, SIG_DFL);
    bar.finishLine();

    nlohmann::json settings = pipeline::toJson(result.resolved);
    nlohmann::json facts{{"seed", result.seed},
                         {"model", result.modelName},
                         {"model_family", toString(result.resolved.family)},
                         {"device", result.device},
                         {"dtype", result.precision},
                         {"attention", result.attention},
                         {"timings_ms",
                          {{"load", loadMs},
                           {"encode", result.encodeMs},
                           {"sampling", result.samplingMs},
                           {"decode", result.decodeMs},
                           {"total", result.totalMs}}}};
    nlohmann::json outputs = nlohmann::json::object();
    if (latentsFile) {
        auto latents = torch::from_blob(result.latents.data(), result.latentShape, torch::kFloat).clone();
        io::writeSafetensors(*latentsFile, {{"latents", latents}},
                             {{"lumina_settings", settings.dump()}, {"seed", std::to_string(result.seed)}});
        outputs["latents"] = std::filesystem::absolute(*latentsFile).string();
    }
    if (output) {
        image::ExportOptions exportOptions;
        exportOptions.pngBitDepth = bitDepth;
        nlohmann::json metadata = settings;
        metadata["result"] = facts;
        image::writeImage(result.image, *output, exportOptions, metadata);
        outputs["image"] = std::filesystem::absolute(*output).string();
    }
    if (a.flag("json")) {
        nlohmann::json j{{"settings", settings}, {"outputs", outputs}};
        j.update(facts);
        if (memory)
            j["memory_plan"] = {{"placement", pipeline::toString(memory->placement)},
                                {"tiled_decode", memory->tiledDecode},
                                {"budget_bytes", memory->budgetBytes},
                                {"weight_bytes", memory->weightBytes},
                                {"sampling_bytes", memory->samplingBytes},
                                {"decode_bytes", memory->decodeBytes},
                                {"peak_bytes", memory->peakBytes}};
        std::printf("%s\n", j.dump().c_str());
    } else if (!quiet) {
        std::fprintf(stderr, "seed %llu, %.1f s on %s (%s)\n", static_cast<unsigned long long>(result.seed),
                     result.totalMs / 1000.0, result.device.c_str(), result.precision.c_str());
        for (const auto& [kind, path] : outputs.items())
            std::fprintf(stderr, "wrote %s\n", path.get<std::string>().c_str());
    }
    return kExitOk;
}

const CommandRegistration registration{{"generate", "make an image from a prompt", usage, run}};

} // namespace
} // namespace lumina::cli
