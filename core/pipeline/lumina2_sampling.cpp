// Lumina-Image 2.0 sampling (docs/sampling.md, Lumina-Image 2.0). The `diffusers` preset follows diffusers
// pipelines/lumina2/pipeline_lumina2.py (Lumina2Pipeline.__call__, encode_prompt, prepare_latents): system
// prompt + " <Prompt Start> " + prompt and the bare negative prompt, each padded to 256 ids and encoded
// alone; the sigma schedule with its time shift; per step a conditional and (unless truncated) an
// unconditional transformer call, guidance, the per-row normalization, one Euler step. The grid samplers
// follow the official Lumina-Image-2.0 sample.py (encode_prompt: both texts as one right-padded batch, the
// system prompt before a non-empty negative too; models/model.py NextDiT.forward_with_cfg: one batched call,
// the whole-latent norm clip; transport ODE on the shifted grid with a float32 state).
#include "core/models/lumina2/lumina2_model.h"
#include "core/pipeline/lora_choice.h"
#include "core/pipeline/run_state.h"
#include "core/pipeline/text_to_image.h"
#include "core/sampling/guidance.h"
#include "core/sampling/lumina2_schedule.h"
#include "core/sampling/ode_solver.h"
#include "core/sampling/time_grid.h"
#include "core/text/lumina2_prompt.h"
#include "core/util/errors.h"
#include "core/util/log.h"

#include <ATen/CPUGeneratorImpl.h>
#include <array>
#include <fmt/format.h>
#include <torch/torch.h>

namespace lumina::pipeline {
namespace {

// The official forward_with_cfg renormalization with renorm_cfg = 1: when the guided prediction's norm over
// all its elements reaches the conditional's, it is scaled back to that norm.
at::Tensor clipGuidanceNorm(const at::Tensor& guided, const at::Tensor& cond) {
    const std::array<int64_t, 3> dims{1, 2, 3};
    const auto condNorm = at::linalg_vector_norm(cond, 2, dims, /*keepdim=*/true);
    const auto guidedNorm = at::linalg_vector_norm(guided, 2, dims, /*keepdim=*/true);
    return at::where(guidedNorm >= condNorm, guided * (condNorm / guidedNorm), guided);
}

at::Tensor normalized(CFGNormalization mode, const at::Tensor& guided, const at::Tensor& cond) {
    switch (mode) {
    case CFGNormalization::Rows:
        return sampling::normalizeGuidance(guided, cond);
    case CFGNormalization::Clip:
        return clipGuidanceNorm(guided, cond);
    case CFGNormalization::Off:
        break;
    }
    return guided;
}

// CFG truncation by the share of steps done (Lumina2Pipeline's cfg_trunc_ratio rule), for step `step` of the
// whole `steps`-step schedule.
bool stepGuided(const GenerationRequest& r, int64_t step) {
    return sampling::lumina2StepGuided(step, r.sampling.steps, r.sampling.guidanceScale,
                                       r.sampling.cfgTruncRatio);
}

} // namespace

at::Tensor sampleLumina2(RunState& run) {
    const auto& m = run.m;
    const auto& request = run.request;
    const auto& s = request.sampling;
    const auto& transformer = *m.lumina2;
    const bool official = s.sampler != Sampler::DiffusersEuler;
    const bool guided = sampling::guidanceEnabled(s.guidanceScale);
    const bool anyGuidedStep =
        sampling::lumina2CfgTruncationPlan(s.steps, s.guidanceScale, s.cfgTruncRatio).guidedSteps > 0;

    // The LoRAs first: a file that does not fit fails before any model work.
    useLoras(m, request.loras);

    // 1. Text.
    run.stage(Stage::EncodingPrompt);
    run.throwIfStopped();
    const auto encodeStart = std::chrono::steady_clock::now();
    const std::string positiveText = text::lumina2PromptText(request.prompt, request.systemPrompt);
    std::optional<models::Lumina2Caption> positive, negative, both;
    if (official) {
        // sample.py: the system prompt goes before a non-empty negative prompt too; both texts are one batch
        // padded to the longer (a multiple of 8, at most 256) on the right.
        const std::string negativeText =
            request.negativePrompt.empty()
                ? std::string()
                : text::lumina2PromptText(request.negativePrompt, request.systemPrompt);
        const auto side = text::PaddingSide::Right;
        const int64_t length =
            m.tokenizer->batchLength({positiveText, guided ? negativeText : std::string()});
        auto cond = encodeText(run, positiveText, length, side);
        if (anyGuidedStep) {
            auto uncond = encodeText(run, negativeText, length, side);
            placeForSampling(m, run.memory.placement);
            both = transformer.prepareCaption(at::cat({cond.embeddings, uncond.embeddings}),
                                              at::cat({cond.mask, uncond.mask}));
        }
        placeForSampling(m, run.memory.placement);
        if (!guided || s.cfgTruncRatio < 1.0)
            positive = transformer.prepareCaption(cond.embeddings, cond.mask);
    } else {
        // Right, whatever the tokenizer's config says: Lumina2Pipeline.__init__ sets the tokenizer's
        // padding_side to "right".
        const auto side = text::PaddingSide::Right;
        auto cond = encodeText(run, positiveText, text::kLumina2MaxSequenceLength, side);
        std::optional<text::PromptEncoding> uncond;
        if (anyGuidedStep)
            uncond = encodeText(run, text::lumina2NegativePromptText(request.negativePrompt),
                                text::kLumina2MaxSequenceLength, side);
        placeForSampling(m, run.memory.placement);
        positive = transformer.prepareCaption(cond.embeddings, cond.mask);
        if (uncond) negative = transformer.prepareCaption(uncond->embeddings, uncond->mask);
    }
    run.out.encodeMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - encodeStart).count();

    // 2. Schedule and start (prepare_latents: (1, in_channels, 2 * (H // 16), 2 * (W // 16)) in the
    // prompt embeddings' dtype from the seeded CPU generator).
    const auto& config = transformer.config();
    sampling::FlowMatchEulerConfig eulerConfig = m.scheduler;
    eulerConfig.shift = s.timeShift;
    const int64_t seqLen =
        sampling::lumina2ImageSeqLen(request.width, request.height, config.inChannels, config.patchSize);
    std::optional<sampling::FlowMatchEulerSchedule> schedule;
    at::Tensor grid;
    if (!official)
        schedule = sampling::lumina2Schedule(eulerConfig, s.steps, seqLen, m.device).from(run.firstKept);
    else
        grid = keptOfficialGrid(run);
    at::Tensor x = startLatents(run, config.inChannels, schedule ? &*schedule : nullptr, grid);
    if (official) x = x.to(at::kFloat); // transport.py ODE.sample: x.float()

    int totalEvaluations = 0;
    for (int64_t i = run.firstKept; i < s.steps; ++i)
        totalEvaluations +=
            (official ? 1 : 1 + (stepGuided(request, i) ? 1 : 0)) * (official ? stagesPerStep(s.sampler) : 1);
    StepReporter reporter(run, run.keptIntervals, totalEvaluations);

    try {
        if (schedule) {
            const auto rule = m.device.is_cuda() ? sampling::TimeDivision::ReciprocalMultiply
                                                 : sampling::TimeDivision::TrueDivide;
            const auto times = schedule->modelTimes(rule);
            const auto hostTimes =
                sampling::lumina2Schedule(eulerConfig, s.steps, seqLen).from(run.firstKept).modelTimes(rule);
            for (int64_t i = 0; i < schedule->steps(); ++i) {
                run.throwIfStoppedOrDrafting();
                const auto t = times[i].reshape({1}).expand({x.size(0)});
                auto v = transformer.forward(x, t, *positive);
                int evaluations = 1;
                if (negative && stepGuided(request, run.firstKept + i)) {
                    run.throwIfStoppedOrDrafting();
                    const auto uncond = transformer.forward(x, t, *negative);
                    v = normalized(s.cfgNormalization,
                                   sampling::classifierFreeGuidance(v, uncond, s.guidanceScale), v);
                    evaluations = 2;
                }
                reporter.recordEvaluation(x, v, hostTimes[i].item<double>(), evaluations);
                x = schedule->step(i, x, v);
                reporter.stepDone(i);
            }
        } else {
            // The evaluation times as host values (for the draft estimate) from the same solver run on a
            // one-element CPU state, so the loop never reads a device time back.
            std::vector<double> hostTimes;
            const sampling::VelocityFn record = [&](const at::Tensor& t, const at::Tensor& state) {
                hostTimes.push_back(t.to(at::kDouble).item<double>());
                return at::zeros_like(state);
            };
            sampling::integrate(s.sampler, record, grid,
                                at::zeros({1}, at::TensorOptions().dtype(x.scalar_type())));
            std::size_t evaluation = 0;
            int64_t interval = 0;
            auto f = [&](const at::Tensor& t, const at::Tensor& state) {
                run.throwIfStoppedOrDrafting();
                const auto time = t.to(at::kFloat).reshape({1});
                const auto input = state.to(m.dtype);
                at::Tensor v;
                // forward_with_cfg combines in the model dtype; ODE.sample's drift casts the result to
                // float32.
                if (both && stepGuided(request, run.firstKept + interval)) {
                    const auto out = transformer.forward(at::cat({input, input}), time.expand({2}), *both);
                    const auto cond = out.slice(0, 0, 1), uncond = out.slice(0, 1, 2);
                    v = normalized(s.cfgNormalization,
                                   sampling::classifierFreeGuidance(cond, uncond, s.guidanceScale), cond);
                } else {
                    v = transformer.forward(input, time, *positive);
                }
                v = v.to(at::kFloat);
                reporter.recordEvaluation(state, v, hostTimes.at(evaluation++));
                return v;
            };
            auto onStep = [&](int64_t step, const at::Tensor&) {
                reporter.stepDone(step);
                ++interval;
            };
            x = sampling::integrate(s.sampler, f, grid, x, onStep).x;
            reporter.forgetEstimate();
        }
    } catch (const KeepDraft&) {
        x = keepDraft(run, reporter, x);
    }
    return x;
}

} // namespace lumina::pipeline
