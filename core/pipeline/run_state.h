#pragma once
// What one generation run shares between its phases and the two model families' samplers
// (text_to_image.cpp runs the phases; next_dit_sampling.cpp and lumina2_sampling.cpp sample): the request
// as resolved, the callbacks, cancellation, the memory plan, the prompt-encoding cache lookups, the
// image-to-image start and the per-step progress and previews.
#include "core/pipeline/generation_output.h"
#include "core/pipeline/loaded_models.h"
#include "core/sampling/flow_match_schedule.h"
#include "core/text/diffusers_preprocess.h"
#include "core/util/cancel_token.h"

#include <ATen/core/Generator.h>
#include <chrono>
#include <optional>
#include <string>

namespace lumina::pipeline {

// Thrown inside a sampling loop when the owner asked to stop but keep the draft.
struct KeepDraft {};

struct RunState {
    const LoadedModels& m;
    const GenerationRequest& request; // resolved
    const GenerationCallbacks& callbacks;
    const CancelToken& cancel;
    GenerationOutput& out;
    MemoryPlan memory;
    at::Tensor initPixels; // image-to-image: the fitted init image (1, 3, H, W) in [-1, 1]; else undefined
    int firstKept = 0;     // first kept schedule point (image-to-image), 0 for text-to-image
    int keptIntervals = 0; // intervals that run

    void stage(Stage stage) const;
    // Throws Cancelled when the owner asked to stop now.
    void throwIfStopped() const;
    // Before a model evaluation: Cancelled or KeepDraft.
    void throwIfStoppedOrDrafting() const;
};

// Text-encoder output for one text padded to `length` ids (0: padded as encodePrompts pads a batch of one)
// on `side`; cached by text, length, side, dtype, device and encoder folder.
text::PromptEncoding encodeText(const RunState& run, const std::string& text, int64_t length,
                                text::PaddingSide side);

// Image-to-image: the init image's latents drawn from `generator` (StableDiffusion3Img2ImgPipeline
// .prepare_latents draws the VAE posterior sample first), on the models' device in the model dtype; releases
// run.initPixels. Reports Stage::EncodingImage and adds its time to out.encodeMs.
at::Tensor encodeInitImage(RunState& run, at::Generator& generator);

// Per-step progress and previews: each sampler records the latest state, velocity and model time of an
// evaluation, and reports finished steps.
class StepReporter {
public:
    StepReporter(const RunState& run, int totalSteps, int totalModelEvaluations);
    // After `evaluations` transformer calls that gave the (guided) velocity at the input state and model
    // time t (0 noise, 1 data).
    void recordEvaluation(const at::Tensor& state, const at::Tensor& velocity, double t, int evaluations = 1);
    // After step `step` (0-based) finished.
    void stepDone(int64_t step);
    // The latest clean-image estimate x0 = x_t + (1 - t) v; undefined before the first evaluation.
    at::Tensor cleanEstimate() const;
    // The result is final: no draft needed any more.
    void forgetEstimate() { m_state = at::Tensor(); }
    const StepProgress& progress() const { return m_progress; }

private:
    const RunState& m_run;
    StepProgress m_progress;
    std::chrono::steady_clock::time_point m_start;
    at::Tensor m_state, m_velocity;
    double m_time = 0;
};

// The official solvers' grid from the first kept point (image-to-image keeps its tail, docs/img2img.md).
at::Tensor keptOfficialGrid(const RunState& run);

// The sampling start, in the model dtype on the models' device: one seeded CPU generator draws the init
// image's VAE posterior sample first and the noise second (StableDiffusion3Img2ImgPipeline.prepare_latents),
// and with an init image the two are mixed at the first kept point: sigma * noise + (1 - sigma) * x0 on the
// diffusers schedule (`schedule`), noise * (1 - t0) + x0 * t0 on the official `grid` (sample_img2img.py).
// Reports Stage::Sampling.
at::Tensor startLatents(RunState& run, int64_t channels, const sampling::FlowMatchEulerSchedule* schedule,
                        const at::Tensor& grid);

// After KeepDraft: marks the output a draft and returns the latest clean-image estimate (x when no
// evaluation ran yet).
at::Tensor keepDraft(RunState& run, const StepReporter& reporter, const at::Tensor& x);

// The final latents of the family's sampler; each sets out.draft when it stopped early with a draft.
at::Tensor sampleLuminaNext(RunState& run);
at::Tensor sampleLumina2(RunState& run);

} // namespace lumina::pipeline
