#include "core/pipeline/run_state.h"

#include "core/models/vae/latent_preview.h"
#include "core/models/vae/vae_encode.h"
#include "core/pipeline/text_to_image.h"
#include "core/sampling/time_grid.h"
#include "core/util/errors.h"
#include "core/util/log.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

namespace lumina::pipeline {
namespace {

double msSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

void RunState::stage(Stage st) const {
    if (callbacks.onStage) callbacks.onStage(st);
}

void RunState::throwIfStopped() const {
    if (cancel.mode() == CancelMode::StopNow) throw Cancelled();
}

void RunState::throwIfStoppedOrDrafting() const {
    throwIfStopped();
    if (cancel.mode() == CancelMode::StopKeepDraft) throw KeepDraft{};
}

text::PromptEncoding encodeText(const RunState& run, const std::string& text, int64_t length,
                                text::PaddingSide side) {
    const auto& m = run.m;
    text::PromptEncodingKey key{text, length, side, m.dtype, m.device, m.textEncoderIdentity};
    if (auto hit = m.encodings.find(key)) return *hit;
    placeForEncoding(m, run.memory.placement);
    const auto batch =
        length > 0 ? m.tokenizer->encodeToLength({text}, length, side) : m.tokenizer->encodePrompts({text});
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

at::Tensor encodeInitImage(RunState& run, at::Generator& generator) {
    const auto& m = run.m;
    run.stage(Stage::EncodingImage);
    run.throwIfStopped();
    const auto start = std::chrono::steady_clock::now();
    auto latents = models::encodeImageToLatents(
                       *m.vae, run.initPixels.to(m.vaeDtype), generator,
                       models::TiledEncodeOptions{run.request.vaeTiling,
                                                  run.request.vaeTileSize / m.vae->config().spatialFactor()})
                       .to(m.device, m.dtype);
    run.initPixels = at::Tensor();
    run.out.encodeMs += msSince(start);
    return latents;
}

StepReporter::StepReporter(const RunState& run, int totalSteps, int totalModelEvaluations)
    : m_run(run)
    , m_start(std::chrono::steady_clock::now()) {
    m_progress.totalSteps = totalSteps;
    m_progress.totalModelEvaluations = totalModelEvaluations;
}

void StepReporter::recordEvaluation(const at::Tensor& state, const at::Tensor& velocity, double t,
                                    int evaluations) {
    m_progress.modelEvaluations += evaluations;
    m_state = state;
    m_velocity = velocity;
    m_time = t;
}

at::Tensor StepReporter::cleanEstimate() const {
    if (!m_state.defined()) return {};
    return m_state + (1.0 - m_time) * m_velocity;
}

void StepReporter::stepDone(int64_t step) {
    const auto& callbacks = m_run.callbacks;
    m_progress.step = static_cast<int>(step + 1);
    m_progress.elapsedMs = msSince(m_start);
    m_progress.etaMs = m_progress.modelEvaluations > 0
                           ? m_progress.elapsedMs / m_progress.modelEvaluations *
                                 (m_progress.totalModelEvaluations - m_progress.modelEvaluations)
                           : 0.0;
    if (!callbacks.onStep) return;
    if (!callbacks.wantPreviews) {
        callbacks.onStep(m_progress, nullptr);
        return;
    }
    const auto& m = m_run.m;
    const int every = m_run.request.fullPreviewEveryNSteps;
    const bool full = every > 0 && m_progress.step % every == 0;
    const auto estimate = cleanEstimate();
    // A VAE whose latent format has no RGB projection always gets the decoded preview.
    const int64_t latentChannels = m.vae->config().latentChannels;
    const bool projected = !full && models::latentRGBProjection(latentChannels).has_value();
    const image::Rgb8Image preview = projected ? models::latentPreview(estimate, latentChannels)
                                               : models::decodedPreview(*m.vae, estimate.to(m.vaeDtype));
    callbacks.onStep(m_progress, &preview);
}

at::Tensor keptOfficialGrid(const RunState& run) {
    const auto& s = run.request.sampling;
    return sampling::officialTimeGrid(s.steps, s.timeShift, s.schedule, s.sigmoidKappa)
        .slice(0, run.firstKept)
        .clone();
}

at::Tensor startLatents(RunState& run, int64_t channels, const sampling::FlowMatchEulerSchedule* schedule,
                        const at::Tensor& grid) {
    const auto& m = run.m;
    auto generator = at::make_generator<at::CPUGeneratorImpl>(run.out.seed);
    at::Tensor imageLatents;
    if (run.initPixels.defined()) imageLatents = encodeInitImage(run, generator);
    run.stage(Stage::Sampling);
    at::Tensor x =
        initialNoise(generator, channels, run.request.height, run.request.width, m.dtype, m.device);
    if (!imageLatents.defined()) return x;
    if (schedule) {
        const auto sigma = schedule->sigmas()[0].to(imageLatents.scalar_type());
        return sigma * x + (1.0 - sigma) * imageLatents;
    }
    const auto t0 = grid[0].to(m.device);
    return x * (1.0 - t0) + imageLatents * t0;
}

at::Tensor keepDraft(RunState& run, const StepReporter& reporter, const at::Tensor& x) {
    run.out.draft = true;
    log::info("stopped after {} of {} steps; keeping the draft", reporter.progress().step,
              run.request.sampling.steps);
    const auto estimate = reporter.cleanEstimate();
    return estimate.defined() ? estimate : x;
}

} // namespace lumina::pipeline
