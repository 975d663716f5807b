#include "core/pipeline/text_to_image.h"

#include "core/models/vae/latent_preview.h"
#include "core/models/vae/vae_decode.h"
#include "core/models/vae/vae_encode.h"
#include "core/pipeline/init_image.h"
#include "core/sampling/context_drop.h"
#include "core/sampling/guidance.h"
#include "core/sampling/ode_solver.h"
#include "core/sampling/rope_scaling.h"
#include "core/sampling/time_grid.h"
#include "core/util/errors.h"
#include "core/util/log.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/Exception.h>
#include <chrono>
#include <fmt/format.h>
#include <optional>
#include <random>
#include <torch/torch.h>

namespace lumina::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Thrown inside the loop when the owner asked to stop but keep the draft.
struct KeepDraft {};

// The lumina preset follows the official Lumina-T2X demo where it and diffusers disagree (docs/sampling.md).
bool followsOfficialDemo(const GenerationRequest& request) {
    return request.preset == "lumina";
}

// Text-encoder output for one prompt padded to `length` ids (0: the positive path, padded to its own length)
// on the given side.
text::PromptEncoding encodePrompt(const LoadedModels& m, const std::string& prompt, int64_t length,
                                  text::PaddingSide side, ModelPlacement placement) {
    text::PromptEncodingKey key{prompt,  length,   side,
                                m.dtype, m.device, m.checkpoint.component("text_encoder").folder.string()};
    if (auto hit = m.encodings.find(key)) return *hit;
    placeForEncoding(m, placement);
    const auto batch = length > 0 ? m.tokenizer->encodeToLength({prompt}, length, side)
                                  : m.tokenizer->encodePrompts({prompt});
    auto ids = batch.ids.to(m.device);
    auto mask = batch.mask.to(m.device);
    // In the transformer's dtype (Gemma runs in fp32 when the rest is fp16: LoadedModels::textEncoderDtype).
    text::PromptEncoding encoding{m.textEncoder->encode(ids, mask).to(m.dtype), mask};
    key.length = batch.ids.size(1);
    m.encodings.insert(key, encoding);
    if (length == 0) { // remember it under "own length" too, the key the next lookup will use
        key.length = 0;
        m.encodings.insert(key, encoding);
    }
    return encoding;
}

} // namespace

at::Tensor initialNoise(at::Generator& generator, int64_t height, int64_t width, c10::ScalarType dtype,
                        c10::Device device) {
    auto noise = at::randn({1, 4, height / 8, width / 8}, generator, at::TensorOptions().dtype(dtype));
    return noise.to(device);
}

at::Tensor initialNoise(uint64_t seed, int64_t height, int64_t width, c10::ScalarType dtype,
                        c10::Device device) {
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    return initialNoise(generator, height, width, dtype, device);
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
    const GenerationRequest request = resolveRequest(requested, m);
    const auto& s = request.sampling;
    c10::InferenceMode inference;
    const auto runStart = Clock::now();
    GenerationOutput out;
    out.resolved = request;
    out.seed = *request.seed;
    out.device = deviceLabel(m.device);
    out.precision = dtypeLabel(m.dtype);
    out.modelName = m.name;
    out.attention = applyAttentionSetting(m);
    auto stage = [&](Stage st) {
        if (callbacks.onStage) callbacks.onStage(st);
    };

    try {
        // 0. Image-to-image: the init image is read and fitted first, so that a bad file fails before any
        // model work.
        const bool fromImage = request.initImage.enabled();
        at::Tensor initPixels;
        if (fromImage)
            initPixels = initImageTensor(loadInitImage(request.initImage.path), request.width, request.height,
                                         request.initImage.resize);
        const int firstKept = firstKeptStep(request);
        const int keptIntervals = keptSteps(request);

        // 1. Text: positive prompt (as typed, or lower+strip in diffusers compatibility mode), conditional
        // rows first. diffusers pads the negative prompt to the positive's length (cutting a longer one); the
        // official demo (encode_prompt) tokenizes both as one right-padded batch, padded to the longer.
        stage(Stage::EncodingPrompt);
        if (cancel.mode() == CancelMode::StopNow) throw Cancelled();
        const auto encodeStart = Clock::now();
        const std::string prompt =
            request.diffusersPromptPreprocess ? text::diffusersPreprocess(request.prompt) : request.prompt;
        const bool guided = sampling::guidanceEnabled(s.guidanceScale);
        const bool official = followsOfficialDemo(request);
        const auto side = official ? text::PaddingSide::Right : m.tokenizer->paddingSide();
        const int64_t batchLength =
            official ? m.tokenizer->batchLength({prompt, guided ? request.negativePrompt : std::string()})
                     : 0;
        // The memory plan (docs/gpu.md, Memory plan): where the models sit while encoding and sampling.
        const auto memory = planRunMemory(m, request.width, request.height, guided);
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
        auto positive = encodePrompt(m, prompt, batchLength, side, memory.placement);
        at::Tensor features = positive.embeddings, mask = positive.mask;
        if (guided) {
            auto negative =
                encodePrompt(m, request.negativePrompt, positive.mask.size(1), side, memory.placement);
            features = at::cat({features, negative.embeddings});
            mask = at::cat({mask, negative.mask});
        }
        placeForSampling(m, memory.placement);
        const auto caption = m.transformer->prepareCaption(features, mask);
        out.encodeMs = msSince(encodeStart);

        // 2. The schedule (image-to-image keeps its tail, docs/img2img.md) and the start: pure noise, or the
        // init image's latents mixed with noise at the first kept point. One seeded CPU generator draws the
        // VAE posterior sample first and the noise second, as StableDiffusion3Img2ImgPipeline.prepare_latents
        // does.
        sampling::FlowMatchEulerConfig eulerConfig = m.scheduler;
        eulerConfig.shift = s.timeShift;
        std::optional<sampling::FlowMatchEulerSchedule> schedule;
        at::Tensor grid;
        if (s.sampler == Sampler::DiffusersEuler)
            schedule =
                sampling::FlowMatchEulerSchedule::create(eulerConfig, s.steps, m.device).from(firstKept);
        else
            grid = sampling::officialTimeGrid(s.steps, s.timeShift, s.schedule, s.sigmoidKappa)
                       .slice(0, firstKept)
                       .clone();
        auto generator = at::make_generator<at::CPUGeneratorImpl>(out.seed);
        at::Tensor imageLatents;
        if (fromImage) {
            stage(Stage::EncodingImage);
            if (cancel.mode() == CancelMode::StopNow) throw Cancelled();
            const auto imageStart = Clock::now();
            imageLatents = models::encodeImageToLatents(
                               *m.vae, initPixels.to(m.vaeDtype), generator,
                               models::TiledEncodeOptions{
                                   request.vaeTiling, request.vaeTileSize / m.vae->config().spatialFactor()})
                               .to(m.device, m.dtype);
            initPixels = at::Tensor();
            out.encodeMs += msSince(imageStart);
        }
        stage(Stage::Sampling);
        const auto samplingStart = Clock::now();
        at::Tensor x = initialNoise(generator, request.height, request.width, m.dtype, m.device);
        if (fromImage) {
            if (schedule) { // FlowMatchEulerDiscreteScheduler.scale_noise: sigma * noise + (1 - sigma) * x0
                const auto sigma = schedule->sigmas()[0].to(imageLatents.scalar_type());
                x = sigma * x + (1.0 - sigma) * imageLatents;
            } else { // sample_img2img.py: z * (1 - t0) + x1 * t0 in Lumina time (0 noise, 1 data)
                const auto t0 = grid[0].to(m.device);
                x = x * (1.0 - t0) + imageLatents * t0;
            }
            imageLatents = at::Tensor();
        }
        const int64_t inChannels = m.transformer->config().inChannels;
        const int64_t native = m.transformer->config().sampleSize * 8;
        sampling::RoPEScalingSettings rope;
        rope.mode = s.ropeScaling;
        rope.watershed = s.watershed;
        rope.applyBelowNative = s.scaleBelowNative;
        rope.comparison =
            official ? sampling::WatershedComparison::Float64 : sampling::WatershedComparison::Float32;
        rope.nativeImageSize = native;
        models::NextDiTStepOptions stepOptions;
        sampling::ContextDropSettings contextDrop;
        contextDrop.enabled = s.contextDrop;
        contextDrop.baseSequenceLength = sampling::proportionalAttentionBase(native);
        const int64_t patch = m.transformer->config().patchSize;
        const int64_t tokens = (request.height / 8 / patch) * (request.width / 8 / patch);
        if (s.proportionalAttention)
            stepOptions.baseSequenceLength = sampling::proportionalAttentionBase(native);
        StepProgress progress;
        progress.totalSteps = keptIntervals;
        progress.totalModelEvaluations =
            static_cast<int>(sampling::modelEvaluations(s.sampler, keptIntervals));

        // Latest clean-image estimate x0 = x_t + (1 - t) v, for previews and "stop and keep": computed only
        // when one of them asks, from the last evaluation's state and velocity.
        at::Tensor lastState, lastVelocity;
        double lastTime = 0;
        auto cleanEstimate = [&]() -> at::Tensor {
            if (!lastState.defined()) return {};
            return lastState + (1.0 - lastTime) * lastVelocity;
        };
        // Model time of every evaluation as a host value (RoPE scaling, Context Drop and the estimate need
        // it) while the device keeps its own time tensors: reading those back would stop the host at every
        // evaluation until the GPU has caught up. `hostTimes` repeats the device arithmetic on the CPU
        // (single fp32/bf16 operations round the same on every device).
        std::vector<float> hostTimes;
        std::size_t evaluation = 0;
        auto velocity = [&](const at::Tensor& tBatch, const at::Tensor& state) {
            if (cancel.mode() == CancelMode::StopNow) throw Cancelled();
            if (cancel.mode() == CancelMode::StopKeepDraft) throw KeepDraft{};
            const float t = hostTimes.at(evaluation++);
            const auto input = guided ? at::cat({state, state}) : state;
            stepOptions.contextDropWindow =
                sampling::contextDropActive(contextDrop, t, tokens)
                    ? sampling::contextDropWindow(tokens, contextDrop.baseSequenceLength)
                    : 1;
            stepOptions.rope = sampling::ropeFactors(rope, request.width, request.height, t);
            auto prediction =
                m.transformer->forward(input, tBatch.expand({input.size(0)}), caption, stepOptions);
            prediction = prediction.slice(1, 0, inChannels);
            auto v =
                guided ? sampling::combineGuidance(prediction, s.guidanceScale, s.cfgChannels) : prediction;
            ++progress.modelEvaluations;
            lastState = state;
            lastVelocity = v;
            lastTime = static_cast<double>(t);
            return v;
        };
        const bool previews = callbacks.onStep && callbacks.wantPreviews;
        auto reportStep = [&](int64_t step, const at::Tensor&) {
            progress.step = static_cast<int>(step + 1);
            progress.elapsedMs = msSince(samplingStart);
            progress.etaMs = progress.elapsedMs / progress.modelEvaluations *
                             (progress.totalModelEvaluations - progress.modelEvaluations);
            if (!callbacks.onStep) return;
            if (!previews) {
                callbacks.onStep(progress, nullptr);
                return;
            }
            const bool full =
                request.fullPreviewEveryNSteps > 0 && progress.step % request.fullPreviewEveryNSteps == 0;
            const auto estimate = cleanEstimate();
            // A VAE whose latent format has no RGB projection always gets the decoded preview.
            const int64_t latentChannels = m.vae->config().latentChannels;
            const bool projected = !full && models::latentRGBProjection(latentChannels).has_value();
            const image::Rgb8Image preview = projected
                                                 ? models::latentPreview(estimate, latentChannels)
                                                 : models::decodedPreview(*m.vae, estimate.to(m.vaeDtype));
            callbacks.onStep(progress, &preview);
        };

        try {
            if (schedule) {
                const auto rule = m.device.is_cuda() ? sampling::TimeDivision::ReciprocalMultiply
                                                     : sampling::TimeDivision::TrueDivide;
                const auto times = schedule->modelTimes(rule);
                const auto host = sampling::FlowMatchEulerSchedule::create(eulerConfig, s.steps)
                                      .from(firstKept)
                                      .modelTimes(rule);
                hostTimes.assign(host.data_ptr<float>(), host.data_ptr<float>() + host.numel());
                for (int64_t i = 0; i < schedule->steps(); ++i) {
                    const auto v = velocity(times[i].reshape({1}), x);
                    x = schedule->step(i, x, v);
                    reportStep(i, x);
                }
            } else {
                // The evaluation times, from the same solver run on a one-element CPU state of x's dtype.
                const sampling::VelocityFn record = [&](const at::Tensor& t, const at::Tensor& state) {
                    hostTimes.push_back(t.to(at::kFloat).item<float>());
                    return at::zeros_like(state);
                };
                sampling::integrate(s.sampler, record, grid,
                                    at::zeros({1}, at::TensorOptions().dtype(x.scalar_type())));
                auto f = [&](const at::Tensor& t, const at::Tensor& state) {
                    return velocity(t.to(at::kFloat).reshape({1}), state);
                };
                x = sampling::integrate(s.sampler, f, grid, x, reportStep).x;
                lastState = at::Tensor(); // the result is final: a draft is no longer needed
            }
        } catch (const KeepDraft&) {
            out.draft = true;
            if (const auto estimate = cleanEstimate(); estimate.defined()) x = estimate;
            log::info("stopped after {} of {} steps; keeping the draft", progress.step, s.steps);
        }
        out.samplingMs = msSince(samplingStart);

        // 3. Decode.
        if (cancel.mode() == CancelMode::StopNow) throw Cancelled();
        stage(Stage::Decoding);
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
    stage(Stage::Done);
    return out;
}

} // namespace lumina::pipeline
