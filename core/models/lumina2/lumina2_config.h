#pragma once
// Config of diffusers' Lumina2Transformer2DModel (models/transformers/transformer_lumina2.py), read from
// transformer/config.json: every argument of its register_to_config __init__, with the defaults of that
// signature, and the widths Lumina2Transformer2DModel.__init__ and Lumina2TransformerBlock.__init__ derive.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace lumina::models {

struct Lumina2Config {
    int64_t sampleSize = 128; // stored only; the forward pass never reads it
    int64_t patchSize = 2;
    int64_t inChannels = 16;
    int64_t outChannels = 16; // config null means "same as in_channels"
    int64_t hiddenSize = 2304;
    int64_t numLayers = 26;
    int64_t numRefinerLayers = 2; // per stream: noise_refiner and context_refiner each have this many
    int64_t numAttentionHeads = 24;
    int64_t numKvHeads = 8; // config null means "same as num_attention_heads"
    int64_t multipleOf = 256;
    std::optional<double> ffnDimMultiplier;
    double normEps = 1e-5;
    double scalingFactor = 1.0; // stored only; the forward pass never reads it
    // RoPE split of the head dimension over (caption position, image row, image column), and each axis' table
    // length (the largest position + 1 it can encode).
    std::array<int64_t, 3> axesDimRope{32, 32, 32};
    std::array<int64_t, 3> axesLens{300, 512, 512};
    int64_t capFeatDim = 1024;

    int64_t headDim() const { return hiddenSize / numAttentionHeads; }
    int64_t kvDim() const { return headDim() * numKvHeads; }
    // Width of the time conditioning vector (`min(hidden, 1024)`).
    int64_t conditioningDim() const { return hiddenSize < 1024 ? hiddenSize : 1024; }
    // LuminaFeedForward with inner_dim = 4 * dim (Lumina2TransformerBlock.__init__).
    int64_t ffnInnerDim() const;
    int64_t patchFeatures() const { return patchSize * patchSize * inChannels; }
    int64_t outFeatures() const { return patchSize * patchSize * outChannels; }

    // Throws ModelLoadError naming the file and key for missing/invalid values or inconsistent sizes.
    static Lumina2Config fromFile(const std::filesystem::path& configJson);
    // The consistency checks for a config built in code; `where` names its origin in messages.
    void validate(const std::string& where) const;
};

// The published Lumina-Image 2.0 transformer config (transformer/config.json of Alpha-VLLM/Lumina-Image-2.0),
// for shape checks and benchmarks.
Lumina2Config lumina2ImageConfig();

} // namespace lumina::models
