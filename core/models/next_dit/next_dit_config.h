#pragma once
// Config of diffusers' LuminaNextDiT2DModel (models/transformers/lumina_nextdit2d.py), read from
// transformer/config.json. Field meanings and the derived widths follow LuminaNextDiT2DModel.__init__
// and LuminaNextDiTBlock.__init__.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace lumina::models {

struct NextDiTConfig {
    int64_t sampleSize = 128;
    int64_t patchSize = 2;
    int64_t inChannels = 4;
    int64_t hiddenSize = 2304;
    int64_t numLayers = 24;
    int64_t numAttentionHeads = 32;
    int64_t numKvHeads = 8; // config null means "same as numAttentionHeads"
    int64_t multipleOf = 256;
    int64_t crossAttentionDim = 2048;
    std::optional<double> ffnDimMultiplier;
    double normEps = 1e-5;
    bool learnSigma = true;
    bool qkNorm = true;
    double scalingFactor = 1.0; // stored only; the forward pass never reads it

    int64_t headDim() const { return hiddenSize / numAttentionHeads; }
    int64_t kvDim() const { return headDim() * numKvHeads; }
    int64_t outChannels() const { return learnSigma ? inChannels * 2 : inChannels; }
    // Width of the time/caption conditioning vector (`min(hidden, 1024)`).
    int64_t conditioningDim() const { return hiddenSize < 1024 ? hiddenSize : 1024; }
    // LuminaFeedForward: int(4*2*dim/3), times the multiplier if any, rounded up to multipleOf.
    int64_t ffnInnerDim() const;

    // Throws ModelLoadError naming the file and key for missing/invalid values or inconsistent sizes
    // (hidden not divisible by heads, head_dim not divisible by 4, heads not divisible by kv heads, ...).
    static NextDiTConfig fromFile(const std::filesystem::path& configJson);
    // The same consistency checks for a config built in code; `where` names its origin in messages.
    void validate(const std::string& where) const;
};

// The published Lumina-Next-SFT 2B transformer config (transformer/config.json of
// Alpha-VLLM/Lumina-Next-SFT-diffusers), for shape checks and benchmarks.
NextDiTConfig nextDiT2BConfig();

} // namespace lumina::models
