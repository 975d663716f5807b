#pragma once
// What one text-to-image run reports while it works (stage, per-step progress with a preview) and what it
// returns. The pipeline produces these; the engine, the CLI and the UI consume them. Torch-free.
#include "core/image/image_buffers.h"
#include "core/pipeline/request.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lumina::pipeline {

// EncodingImage: image-to-image only, the init image through the VAE encoder.
enum class Stage { LoadingModel, EncodingPrompt, EncodingImage, Sampling, Decoding, Done };

struct StepProgress {
    int step = 0; // steps finished, 1-based after the first
    int totalSteps = 0;
    int modelEvaluations = 0; // network calls done (midpoint costs 2 per step, RK4 4)
    int totalModelEvaluations = 0;
    double elapsedMs = 0;
    double etaMs = 0;
};

struct GenerationCallbacks {
    std::function<void(Stage)> onStage;
    // preview may be null when no preview was made for this step.
    std::function<void(const StepProgress&, const image::Rgb8Image* preview)> onStep;
    // false: onStep gets progress only (preview null) and no preview is computed or copied from the device
    // (the CLI's progress bar shows none).
    bool wantPreviews = true;
};

struct GenerationOutput {
    image::FloatImage image;
    GenerationRequest resolved; // every setting as used, preset applied, seed filled in
    uint64_t seed = 0;
    bool draft = false; // stopped early and kept ("stop and keep")
    double encodeMs = 0, samplingMs = 0, decodeMs = 0, totalMs = 0;
    std::string device, precision, modelName;
    std::string attention; // the attention kernel setting in effect (pipeline::applyAttentionSetting)
    std::vector<int64_t> latentShape; // [1, 4, H/8, W/8]
    std::vector<float> latents;       // final latents, float32
};

} // namespace lumina::pipeline
