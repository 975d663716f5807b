#pragma once
// A rough estimate of time and memory for one generation, shown before a run and labelled as an estimate.
// Model: tokens = (W/16)(H/16); one model evaluation costs a per-device base figure at 1024x1024 (4096
// tokens), scaled linearly in tokens for the MLPs and quadratically for attention; memory = weights +
// activations (linear in tokens) + the VAE decode (linear in pixels, tiled above 2048x2048).
#include "core/engine/generation_engine.h"
#include "core/vocabulary/choices.h"

#include <QString>

namespace lumina {
namespace ui {

struct RunEstimate {
    double seconds = 0;
    double gigabytes = 0;
};

// The sizes the estimate assumes when the loaded model's are unknown: Lumina-Next-SFT (Next-DiT 2B, Gemma-2B,
// SDXL VAE).
engine::ModelSize luminaNextSftSize();

// device: "cpu", "cuda", "mps" (anything else counts as cpu). model: the loaded model's sizes (unknown:
// Lumina-Next-SFT's).
RunEstimate estimateRun(int width, int height, int steps, Sampler sampler, const QString& device,
                        const QString& precision, const engine::ModelSize& model = {});

} // namespace ui
} // namespace lumina
