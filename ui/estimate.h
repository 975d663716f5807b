#pragma once
// A rough estimate of time and memory for one generation, shown before a run and labelled as an estimate.
// Time: tokens = (W/16)(H/16); one model evaluation costs a per-device base figure at 1024x1024 (4096
// tokens), scaled linearly in tokens for the MLPs and quadratically for attention. Memory: the engine's own
// memory plan (core/pipeline/memory_plan.h), the same function that decides the run.
#include "core/engine/generation_engine.h"
#include "core/vocabulary/choices.h"

#include <QString>

namespace lumina {
namespace ui {

struct RunEstimate {
    double seconds = 0;
    double gigabytes = 0; // the plan's peak
    pipeline::MemoryPlan memory;
};

// device: "cpu", "cuda", "mps" (anything else counts as cpu). model: the loaded model's footprint (unknown:
// Lumina-Next-SFT's). budgetGigabytes: what the run may use on its device (0: unknown, no limit).
RunEstimate estimateRun(int width, int height, int steps, Sampler sampler, const QString& device,
                        const QString& precision, const pipeline::ModelFootprint& model = {},
                        double budgetGigabytes = 0);

} // namespace ui
} // namespace lumina
