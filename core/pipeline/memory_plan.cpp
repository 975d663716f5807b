#include "core/pipeline/memory_plan.h"

#include "core/models/vae/vae_memory.h"

#include <algorithm>

namespace lumina::pipeline {
namespace {

// Hidden-state-sized tensors alive at once at a Next-DiT block's peak
// (core/models/next_dit/next_dit_block.cpp scopes its temporaries so that the SwiGLU's inner pair, 2 x 8/3
// hidden, dominates) and allocator slack.
constexpr double kBlockPeakHiddenStates = 10.0;
constexpr double kAllocatorSlack = 1.15;
// Prompt tokens the text encoder sees at most, per prompt (two prompts with guidance).
constexpr double kPromptTokens = 256;

// One text-encoder layer over both prompts: the residual stream and its normed copy in fp32, q/k/v/out, the
// MLP's gate, up and product activations, with slack.
uint64_t estimateEncodeBytes(const ModelFootprint& m, bool guided) {
    const double tokens = kPromptTokens * (guided ? 2 : 1);
    const double perToken =
        6.0 * static_cast<double>(m.textHiddenSize) + 3.0 * static_cast<double>(m.textIntermediateSize);
    return static_cast<uint64_t>(kAllocatorSlack * tokens * perToken * 4.0);
}

} // namespace

const char* toString(ModelPlacement placement) {
    switch (placement) {
    case ModelPlacement::AllResident:
        return "all resident";
    case ModelPlacement::TextEncoderReleased:
        return "text encoder released after encoding";
    case ModelPlacement::Swapped:
        return "text encoder and transformer swapped";
    }
    return "?";
}

ModelFootprint luminaNextSftFootprint(int elementBytes, bool fp16) {
    ModelFootprint f;
    f.transformerParams = 2'000'000'000ull;
    f.textEncoderParams = 2'510'000'000ull;
    f.vaeParams = 84'000'000ull;
    const int textBytes = fp16 ? 4 : elementBytes;
    f.vaeElementBytes = fp16 ? 4 : elementBytes;
    f.elementBytes = elementBytes;
    f.transformerWeightBytes = f.transformerParams * static_cast<uint64_t>(elementBytes);
    f.textEncoderWeightBytes = f.textEncoderParams * static_cast<uint64_t>(textBytes);
    f.vaeWeightBytes = f.vaeParams * static_cast<uint64_t>(f.vaeElementBytes);
    f.hiddenSize = 2304;
    f.patchSize = 2;
    f.vae = models::VAEConfig::sdxl();
    return f;
}

uint64_t estimateSamplingBytes(const ModelFootprint& model, int64_t batch, int64_t tokens) {
    return static_cast<uint64_t>(kBlockPeakHiddenStates * kAllocatorSlack * static_cast<double>(batch) *
                                 static_cast<double>(tokens) * static_cast<double>(model.hiddenSize) *
                                 static_cast<double>(model.elementBytes));
}

MemoryPlan planMemory(const ModelFootprint& model, int width, int height, bool guided, bool canRelease,
                      uint64_t budgetBytes) {
    MemoryPlan plan;
    plan.budgetBytes = budgetBytes;
    plan.weightBytes = model.weightBytes();
    const int64_t f = model.vae.spatialFactor();
    const int64_t latentH = height / f, latentW = width / f;
    const int64_t patch = std::max<int64_t>(1, model.patchSize);
    const int64_t tokens = (latentH / patch) * (latentW / patch);
    plan.encodeBytes = estimateEncodeBytes(model, guided);
    plan.samplingBytes = estimateSamplingBytes(model, guided ? 2 : 1, tokens);
    const int vaeBytes = model.vaeElementBytes;
    // The decode runs with what the resident weights leave; it tiles (decodeLatentsToImage's rule) when its
    // untiled estimate does not fit there.
    auto planDecode = [&](uint64_t resident) {
        const uint64_t left = budgetBytes > resident ? budgetBytes - resident : 0;
        const uint64_t untiled = models::estimateDecodeBytes(model.vae, latentH, latentW, vaeBytes);
        if (untiled <= left) return std::pair{untiled, false};
        return std::pair{
            models::planTiledDecode(model.vae, 1, latentH, latentW, vaeBytes, left, {}).estimatedBytes, true};
    };
    const uint64_t all = plan.weightBytes;
    auto [decode, tiled] = planDecode(all);
    uint64_t peak = all + std::max({plan.encodeBytes, plan.samplingBytes, decode});
    if (canRelease && peak > budgetBytes) {
        // Sampling and decoding without the text encoder.
        const uint64_t without = all - model.textEncoderWeightBytes;
        std::tie(decode, tiled) = planDecode(without);
        const uint64_t afterEncoding = without + std::max(plan.samplingBytes, decode);
        peak = std::max(all + plan.encodeBytes, afterEncoding);
        plan.placement = ModelPlacement::TextEncoderReleased;
        if (peak > budgetBytes) {
            // Encoding without the transformer as well.
            peak = std::max(all - model.transformerWeightBytes + plan.encodeBytes, afterEncoding);
            plan.placement = ModelPlacement::Swapped;
        }
    }
    plan.decodeBytes = decode;
    plan.tiledDecode = tiled;
    plan.peakBytes = peak;
    return plan;
}

} // namespace lumina::pipeline
