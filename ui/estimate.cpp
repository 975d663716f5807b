#include "ui/estimate.h"

#include <algorithm>
#include <cmath>

namespace lumina {
namespace ui {

engine::ModelSize luminaNextSftSize() {
    return {2'000'000'000ull, 2'510'000'000ull, 84'000'000ull};
}

RunEstimate estimateRun(int width, int height, int steps, Sampler sampler, const QString& device,
                        const QString& precision, const engine::ModelSize& model) {
    const engine::ModelSize size = model.known() ? model : luminaNextSftSize();
    // Per-token work and activation width grow with the transformer's parameter count (for a fixed depth
    // to width ratio, activations with its square root).
    const double scale = double(size.transformerParams) / double(luminaNextSftSize().transformerParams);
    // Base seconds per guided evaluation (batch of 2) of the 2B Next-DiT at 4096 tokens: rough figures for a
    // current discrete GPU, an Apple M-series GPU and a desktop CPU.
    const double base = (device.startsWith("cuda") ? 0.12 : device.startsWith("mps") ? 0.9 : 14.0) * scale;
    const double r = double(width / 16) * double(height / 16) / 4096.0;
    const double perEval = base * r * (0.75 + 0.25 * r); // attention grows with the square of the tokens
    const double seconds =
        perEval * stagesPerStep(sampler) * std::max(1, steps) + 2.0 /* encode+decode */ * r;
    const bool halfPrecision = precision != "fp32" && !(precision == "auto" && device == "cpu");
    const double bytesPerParam = halfPrecision ? 2.0 : 4.0;
    const double weights = double(size.transformerParams + size.textEncoderParams) * bytesPerParam / 1e9 +
                           double(size.vaeParams) * 4 / 1e9;
    const double activations = 0.6 * r * bytesPerParam / 2.0 * std::sqrt(scale);
    const double vae = std::min(r, 4.0) * 1.2;
    return {seconds, weights + activations + vae};
}

} // namespace ui
} // namespace lumina
