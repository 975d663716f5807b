#pragma once
// A rough estimate of time and memory for one generation, shown before a run and labelled as an estimate.
// Model: tokens = (W/16)(H/16); one model evaluation costs a per-device base figure at 1024x1024 (4096
// tokens), scaled linearly in tokens for the MLPs and quadratically for attention; memory = weights +
// activations (linear in tokens) + the VAE decode (linear in pixels, tiled above 2048x2048).
#include "core/vocabulary/choices.h"

#include <QString>

namespace lumina {
namespace ui {

struct RunEstimate {
    double seconds = 0;
    double gigabytes = 0;
};

// device: "cpu", "cuda", "mps" (anything else counts as cpu).
RunEstimate estimateRun(int width, int height, int steps, Sampler sampler, const QString& device,
                        const QString& precision);

} // namespace ui
} // namespace lumina
