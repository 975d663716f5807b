// Reads transformer/config.json of diffusers' LuminaNextDiT2DModel (lumina_nextdit2d.py, __init__).
#include "core/models/next_dit/next_dit_config.h"

#include "core/io/json_file.h"
#include "core/models/common/feed_forward_width.h"
#include "core/util/errors.h"

#include <fmt/format.h>
#include <string>

namespace lumina::models {

int64_t NextDiTConfig::ffnInnerDim() const {
    // LuminaNextDiTBlock passes int(4 * 2 * dim / 3), computed in Python floats.
    return luminaFeedForwardWidth(static_cast<int64_t>(4.0 * 2.0 * static_cast<double>(hiddenSize) / 3.0),
                                  multipleOf, ffnDimMultiplier);
}

void NextDiTConfig::validate(const std::string& where) const {
    auto fail = [&](const std::string& what) {
        throw ModelLoadError(fmt::format("{}: {}. Is this a Lumina-Next transformer config?", where, what));
    };
    const int64_t positives[] = {sampleSize,        patchSize,  inChannels, hiddenSize,       numLayers,
                                 numAttentionHeads, numKvHeads, multipleOf, crossAttentionDim};
    for (int64_t v : positives)
        if (v <= 0) fail("all sizes must be positive");
    if (hiddenSize % numAttentionHeads != 0)
        fail(fmt::format("hidden_size {} is not divisible by num_attention_heads {}", hiddenSize,
                         numAttentionHeads));
    if (headDim() % 4 != 0)
        fail(fmt::format("head_dim {} must be divisible by 4 for the 2-D RoPE", headDim()));
    if (numAttentionHeads % numKvHeads != 0)
        fail(fmt::format("num_attention_heads {} is not divisible by num_kv_heads {}", numAttentionHeads,
                         numKvHeads));
    if (!(normEps > 0.0)) fail("norm_eps must be positive");
    if (ffnDimMultiplier && !(*ffnDimMultiplier > 0.0)) fail("ffn_dim_multiplier must be positive");
}

NextDiTConfig NextDiTConfig::fromFile(const std::filesystem::path& configJson) {
    const auto json = io::JsonConfig::load(configJson);
    NextDiTConfig c;
    c.sampleSize = json.getInt("sample_size", 128);
    c.patchSize = json.getInt("patch_size", 2);
    c.inChannels = json.getInt("in_channels", 4);
    c.hiddenSize = json.getInt("hidden_size", 2304);
    c.numLayers = json.getInt("num_layers", 32);
    c.numAttentionHeads = json.getInt("num_attention_heads", 32);
    c.numKvHeads = json.isNull("num_kv_heads") ? c.numAttentionHeads : json.getInt("num_kv_heads");
    c.multipleOf = json.getInt("multiple_of", 256);
    c.ffnDimMultiplier = json.getOptionalDouble("ffn_dim_multiplier");
    c.normEps = json.getDouble("norm_eps", 1e-5);
    c.learnSigma = json.getBool("learn_sigma", true);
    c.qkNorm = json.getBool("qk_norm", true);
    c.crossAttentionDim = json.getInt("cross_attention_dim", 2048);
    c.scalingFactor = json.getDouble("scaling_factor", 1.0);
    c.validate(configJson.string());
    return c;
}

NextDiTConfig nextDiT2BConfig() {
    NextDiTConfig c;
    c.sampleSize = 128;
    c.patchSize = 2;
    c.inChannels = 4;
    c.hiddenSize = 2304;
    c.numLayers = 24;
    c.numAttentionHeads = 32;
    c.numKvHeads = 8;
    c.multipleOf = 256;
    c.crossAttentionDim = 2048;
    c.normEps = 1e-5;
    c.learnSigma = true;
    c.qkNorm = true;
    c.scalingFactor = 1.0;
    return c;
}

} // namespace lumina::models
