#include "core/pipeline/text_to_image.h"

#include "core/models/vae/vae_decode.h"
#include "core/pipeline/init_image.h"
#include "core/pipeline/run_state.h"
#include "core/sampling/guidance.h"
#include "core/util/errors.h"
#include "core/util/log.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/Exception.h>
#include <chrono>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <random>
#include <torch/torch.h>

namespace lumina::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

} // namespace

at::Tensor initialNoise(at::Generator& generator, int64_t channels, int64_t height, int64_t width,
                        c10::ScalarType dtype, c10::Device device) {
    auto noise = at::randn({1, channels, height / 8, width / 8}, generator, at::TensorOptions().dtype(dtype));
    return noise.to(device);
}

at::Tensor initialNoise(uint64_t seed, int64_t channels, int64_t height, int64_t width, c10::ScalarType dtype,
                        c10::Device device) {
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    return initialNoise(generator, channels, height, width, dtype, device);
}

image::FloatImage decodeToImage(const LoadedModels& m, const at::Tensor& latents, VAETiling tiling,
                                int tileSize) {
    models::TiledDecodeOptions options{tiling, tileSize / m.vae->config().spatialFactor()};
    options.budgetBytes = decodeBudget(m);
    const auto image = models::decodeLatentsToImage(*m.vae, latents.to(m.device, m.vaeDtype), options);
    auto hwc = image[0].permute({1, 2, 0}).contiguous().to(at::kFloat);
    image::FloatImage out;
    out.width = static_cast<int>(hwc.size(1));
    out.height = static_cast<int>(hwc.size(0));
    out.pixels.assign(hwc.data_ptr<float>(), hwc.data_ptr<float>() + hwc.numel());
    return out;
}

GenerationRequest resolveRequest(const GenerationRequest& request, const LoadedModels& models) {
    GenerationRequest r = request;
    if (r.sampling.shiftFromSchedulerConfig) {
        r.sampling.timeShift = models.scheduler.shift;
        r.sampling.shiftFromSchedulerConfig = false;
    }
    if (!r.seed) {
        std::random_device device;
        r.seed = (static_cast<uint64_t>(device()) << 1 ^ device()) & 0xFFFFFFFFull;
    }
    return r;
}

GenerationOutput generateImage(const LoadedModels& m, const GenerationRequest& requested,
                               const GenerationCallbacks& callbacks, const CancelToken& cancel) {
    validateRequest(requested);
    if (requested.family != m.family)
        throw InvalidRequest(fmt::format(
            "these settings are for {} models (preset {}), but the loaded model {} is a {} model: choose a "
            "preset of {} ({})",
            displayName(requested.family), requested.preset, m.name, displayName(m.family),
            displayName(m.family), fmt::join(presetNames(m.family), ", ")));
    const GenerationRequest request = resolveRequest(requested, m);
    c10::InferenceMode inference;
    const auto runStart = Clock::now();
    GenerationOutput out;
    out.resolved = request;
    out.seed = *request.seed;
    out.device = deviceLabel(m.device);
    out.precision = dtypeLabel(m.dtype);
    out.modelName = m.name;
    out.attention = applyAttentionSetting(m);
    RunState run{m, request, callbacks, cancel, out, {}, {}, firstKeptStep(request), keptSteps(request)};

    try {
        // Image-to-image: the init image is read and fitted first, so that a bad file fails before any model
        // work.
        if (request.initImage.enabled())
            run.initPixels = initImageTensor(loadInitImage(request.initImage.path), request.width,
                                             request.height, request.initImage.resize);
        // The memory plan (docs/gpu.md, Memory plan): where the models sit while encoding and sampling.
        const bool guided = sampling::guidanceEnabled(request.sampling.guidanceScale);
        run.memory = planRunMemory(m, request.width, request.height, guided);
        const auto& memory = run.memory;
        log::info(
            "memory plan on {}: weights {:.2f} GiB, sampling {:.2f} GiB, decode {:.2f} GiB{}, peak {:.2f} "
            "of {:.2f} GiB, {}",
            out.device, models::gib(memory.weightBytes), models::gib(memory.samplingBytes),
            models::gib(memory.decodeBytes), memory.tiledDecode ? " (tiled)" : "",
            models::gib(memory.peakBytes), models::gib(memory.budgetBytes), toString(memory.placement));
        if (!memory.fits())
            log::warn(
                "the memory plan's estimate ({:.2f} GiB) exceeds the budget ({:.2f} GiB); trying anyway",
                models::gib(memory.peakBytes), models::gib(memory.budgetBytes));

        const auto samplingStart = Clock::now();
        at::Tensor x = m.family == ModelFamily::Lumina2 ? sampleLumina2(run) : sampleLuminaNext(run);
        out.samplingMs = msSince(samplingStart) - out.encodeMs;

        // Decode.
        run.throwIfStopped();
        run.stage(Stage::Decoding);
        const auto decodeStart = Clock::now();
        auto latents = x.to(at::kFloat).cpu().contiguous();
        out.latentShape = latents.sizes().vec();
        out.latents.assign(latents.data_ptr<float>(), latents.data_ptr<float>() + latents.numel());
        out.image = decodeToImage(m, x, request.vaeTiling, request.vaeTileSize);
        out.decodeMs = msSince(decodeStart);
    } catch (const c10::OutOfMemoryError& e) {
        throw OutOfMemory(fmt::format("{}x{} on {} needs more memory than is free. Try a smaller size, fewer "
                                      "images at once, or the CPU "
                                      "device (Preferences / --device cpu). ({})",
                                      request.width, request.height, out.device, e.what_without_backtrace()));
    }
    out.totalMs = msSince(runStart);
    run.stage(Stage::Done);
    return out;
}

} // namespace lumina::pipeline
