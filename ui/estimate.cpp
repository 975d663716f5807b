#include "ui/estimate.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lumina {
namespace ui {

RunEstimate estimateRun(int width, int height, int steps, Sampler sampler, const QString& device,
                        const QString& precision, const pipeline::ModelFootprint& model,
                        double budgetGigabytes) {
    const bool cpu = !device.startsWith("cuda") && !device.startsWith("mps");
    const bool halfPrecision = precision != "fp32" && !(precision == "auto" && cpu);
    const pipeline::ModelFootprint size =
        model.known() ? model : pipeline::luminaNextSftFootprint(halfPrecision ? 2 : 4, precision == "fp16");
    // Per-token work grows with the transformer's parameter count.
    const double scale =
        double(size.transformerParams) / double(pipeline::luminaNextSftFootprint(2).transformerParams);
    // Base seconds per guided evaluation (batch of 2) of the 2B Next-DiT at 4096 tokens: rough figures for a
    // current discrete GPU, an Apple M-series GPU and a desktop CPU.
    const double base = (device.startsWith("cuda") ? 0.12 : device.startsWith("mps") ? 0.9 : 14.0) * scale;
    const double r = double(width / 16) * double(height / 16) / 4096.0;
    const double perEval = base * r * (0.75 + 0.25 * r); // attention grows with the square of the tokens
    RunEstimate e;
    e.seconds = perEval * stagesPerStep(sampler) * std::max(1, steps) + 2.0 /* encode+decode */ * r;
    const uint64_t budget = budgetGigabytes > 0 ? static_cast<uint64_t>(budgetGigabytes * 1e9)
                                                : std::numeric_limits<uint64_t>::max();
    e.memory = pipeline::planMemory(size, width, height, /*guided=*/true, /*canRelease=*/!cpu, budget);
    e.gigabytes = double(e.memory.peakBytes) / 1e9;
    return e;
}

} // namespace ui
} // namespace lumina
