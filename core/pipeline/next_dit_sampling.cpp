// Lumina-Next sampling: diffusers pipelines/lumina/pipeline_lumina.py (LuminaPipeline.__call__) for the
// `diffusers-euler` sampler, the official Lumina-T2X transport ODE for euler / midpoint / rk4
// (docs/reference-notes.md; docs/sampling.md), image-to-image as docs/img2img.md describes.
#include "core/pipeline/run_state.h"
#include "core/pipeline/text_to_image.h"
#include "core/sampling/context_drop.h"
#include "core/sampling/guidance.h"
#include "core/sampling/ode_solver.h"
#include "core/sampling/rope_scaling.h"
#include "core/sampling/time_grid.h"
#include "core/util/log.h"

#include <ATen/CPUGeneratorImpl.h>
#include <optional>
#include <torch/torch.h>

namespace lumina::pipeline {

at::Tensor sampleLuminaNext(RunState& run) {
    const auto& m = run.m;
    const auto& request = run.request;
    const auto& s = request.sampling;
    const auto& transformer = *m.transformer;

    // 1. Text: positive prompt (as typed, or lower+strip in diffusers compatibility mode), conditional rows
    // first. diffusers pads the negative prompt to the positive's length (cutting a longer one); the official
    // demo (encode_prompt) tokenizes both as one right-padded batch, padded to the longer.
    run.stage(Stage::EncodingPrompt);
    run.throwIfStopped();
    const auto encodeStart = std::chrono::steady_clock::now();
    const std::string prompt =
        request.diffusersPromptPreprocess ? text::diffusersPreprocess(request.prompt) : request.prompt;
    const bool guided = sampling::guidanceEnabled(s.guidanceScale);
    const bool official = isOfficialPreset(request.preset);
    const auto side = official ? text::PaddingSide::Right : m.tokenizer->paddingSide();
    const int64_t batchLength =
        official ? m.tokenizer->batchLength({prompt, guided ? request.negativePrompt : std::string()}) : 0;
    auto positive = encodeText(run, prompt, batchLength, side);
    at::Tensor features = positive.embeddings, mask = positive.mask;
    if (guided) {
        auto negative = encodeText(run, request.negativePrompt, positive.mask.size(1), side);
        features = at::cat({features, negative.embeddings});
        mask = at::cat({mask, negative.mask});
    }
    placeForSampling(m, run.memory.placement);
    const auto caption = transformer.prepareCaption(features, mask);
    run.out.encodeMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - encodeStart).count();

    // 2. The schedule (image-to-image keeps its tail, docs/img2img.md) and the start: pure noise, or the init
    // image's latents mixed with noise at the first kept point. One seeded CPU generator draws the VAE
    // posterior sample first and the noise second, as StableDiffusion3Img2ImgPipeline.prepare_latents does.
    sampling::FlowMatchEulerConfig eulerConfig = m.scheduler;
    eulerConfig.shift = s.timeShift;
    std::optional<sampling::FlowMatchEulerSchedule> schedule;
    at::Tensor grid;
    if (s.sampler == Sampler::DiffusersEuler)
        schedule =
            sampling::FlowMatchEulerSchedule::create(eulerConfig, s.steps, m.device).from(run.firstKept);
    else
        grid = keptOfficialGrid(run);
    const auto& config = transformer.config();
    at::Tensor x = startLatents(run, config.inChannels, schedule ? &*schedule : nullptr, grid);
    const int64_t inChannels = config.inChannels;
    const int64_t native = config.sampleSize * 8;
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
    const int64_t patch = config.patchSize;
    const int64_t tokens = (request.height / 8 / patch) * (request.width / 8 / patch);
    if (s.proportionalAttention) stepOptions.baseSequenceLength = sampling::proportionalAttentionBase(native);
    StepReporter reporter(run, run.keptIntervals,
                          static_cast<int>(sampling::modelEvaluations(s.sampler, run.keptIntervals)));

    // Model time of every evaluation as a host value (RoPE scaling, Context Drop and the estimate need it)
    // while the device keeps its own time tensors: reading those back would stop the host at every evaluation
    // until the GPU has caught up. `hostTimes` repeats the device arithmetic on the CPU (single fp32/bf16
    // operations round the same on every device).
    std::vector<float> hostTimes;
    std::size_t evaluation = 0;
    auto velocity = [&](const at::Tensor& tBatch, const at::Tensor& state) {
        run.throwIfStoppedOrDrafting();
        const float t = hostTimes.at(evaluation++);
        const auto input = guided ? at::cat({state, state}) : state;
        stepOptions.contextDropWindow =
            sampling::contextDropActive(contextDrop, t, tokens)
                ? sampling::contextDropWindow(tokens, contextDrop.baseSequenceLength)
                : 1;
        stepOptions.rope = sampling::ropeFactors(rope, request.width, request.height, t);
        auto prediction = transformer.forward(input, tBatch.expand({input.size(0)}), caption, stepOptions);
        prediction = prediction.slice(1, 0, inChannels);
        auto v = guided ? sampling::combineGuidance(prediction, s.guidanceScale, s.cfgChannels) : prediction;
        reporter.recordEvaluation(state, v, static_cast<double>(t));
        return v;
    };
    auto reportStep = [&](int64_t step, const at::Tensor&) { reporter.stepDone(step); };

    try {
        if (schedule) {
            const auto rule = m.device.is_cuda() ? sampling::TimeDivision::ReciprocalMultiply
                                                 : sampling::TimeDivision::TrueDivide;
            const auto times = schedule->modelTimes(rule);
            const auto host = sampling::FlowMatchEulerSchedule::create(eulerConfig, s.steps)
                                  .from(run.firstKept)
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
            reporter.forgetEstimate(); // the result is final: a draft is no longer needed
        }
    } catch (const KeepDraft&) {
        x = keepDraft(run, reporter, x);
    }
    return x;
}

} // namespace lumina::pipeline
