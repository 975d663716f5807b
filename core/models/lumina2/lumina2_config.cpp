// Reads transformer/config.json of diffusers' Lumina2Transformer2DModel (transformer_lumina2.py, __init__).
#include "core/models/lumina2/lumina2_config.h"

#include "core/io/json_file.h"
#include "core/models/common/feed_forward_width.h"
#include "core/util/errors.h"

#include <fmt/format.h>
#include <string>
#include <vector>

namespace lumina::models {
namespace {

std::array<int64_t, 3> readAxes(const io::JsonConfig& json, const char* key,
                                std::array<int64_t, 3> fallback) {
    if (json.isNull(key)) return fallback;
    const auto values = json.getIntList(key);
    if (values.size() != 3) json.fail(key, "a list of 3 integers (caption, height, width axes)");
    return {values[0], values[1], values[2]};
}

} // namespace

int64_t Lumina2Config::ffnInnerDim() const {
    return luminaFeedForwardWidth(4 * hiddenSize, multipleOf, ffnDimMultiplier);
}

void Lumina2Config::validate(const std::string& where) const {
    auto fail = [&](const std::string& what) {
        throw ModelLoadError(
            fmt::format("{}: {}. Is this a Lumina-Image 2.0 transformer config?", where, what));
    };
    const std::pair<const char*, int64_t> positives[] = {{"sample_size", sampleSize},
                                                         {"patch_size", patchSize},
                                                         {"in_channels", inChannels},
                                                         {"out_channels", outChannels},
                                                         {"hidden_size", hiddenSize},
                                                         {"num_layers", numLayers},
                                                         {"num_attention_heads", numAttentionHeads},
                                                         {"num_kv_heads", numKvHeads},
                                                         {"multiple_of", multipleOf},
                                                         {"cap_feat_dim", capFeatDim}};
    for (const auto& [key, value] : positives)
        if (value <= 0) fail(fmt::format("{} must be positive, got {}", key, value));
    if (numRefinerLayers < 0) fail(fmt::format("num_refiner_layers must be >= 0, got {}", numRefinerLayers));
    if (hiddenSize % numAttentionHeads != 0)
        fail(fmt::format("hidden_size {} is not divisible by num_attention_heads {}", hiddenSize,
                         numAttentionHeads));
    if (numAttentionHeads % numKvHeads != 0)
        fail(fmt::format("num_attention_heads {} is not divisible by num_kv_heads {}", numAttentionHeads,
                         numKvHeads));
    int64_t ropeDims = 0;
    for (std::size_t i = 0; i < 3; ++i) {
        // get_1d_rotary_pos_embed asserts an even dimension per axis.
        if (axesDimRope[i] <= 0 || axesDimRope[i] % 2 != 0)
            fail(fmt::format("axes_dim_rope[{}] = {} must be positive and even", i, axesDimRope[i]));
        if (axesLens[i] <= 0) fail(fmt::format("axes_lens[{}] = {} must be positive", i, axesLens[i]));
        ropeDims += axesDimRope[i];
    }
    if (ropeDims != headDim())
        fail(
            fmt::format("axes_dim_rope sums to {} but the head dimension (hidden_size / num_attention_heads) "
                        "is {}",
                        ropeDims, headDim()));
    if (!(normEps > 0.0)) fail("norm_eps must be positive");
    if (ffnDimMultiplier && !(*ffnDimMultiplier > 0.0)) fail("ffn_dim_multiplier must be positive");
}

Lumina2Config Lumina2Config::fromFile(const std::filesystem::path& configJson) {
    const auto json = io::JsonConfig::load(configJson);
    Lumina2Config c;
    c.sampleSize = json.getInt("sample_size", 128);
    c.patchSize = json.getInt("patch_size", 2);
    c.inChannels = json.getInt("in_channels", 16);
    c.outChannels = json.isNull("out_channels") ? c.inChannels : json.getInt("out_channels");
    c.hiddenSize = json.getInt("hidden_size", 2304);
    c.numLayers = json.getInt("num_layers", 26);
    c.numRefinerLayers = json.getInt("num_refiner_layers", 2);
    c.numAttentionHeads = json.getInt("num_attention_heads", 24);
    c.numKvHeads = json.isNull("num_kv_heads") ? c.numAttentionHeads : json.getInt("num_kv_heads");
    c.multipleOf = json.getInt("multiple_of", 256);
    c.ffnDimMultiplier = json.getOptionalDouble("ffn_dim_multiplier");
    c.normEps = json.getDouble("norm_eps", 1e-5);
    c.scalingFactor = json.getDouble("scaling_factor", 1.0);
    c.axesDimRope = readAxes(json, "axes_dim_rope", {32, 32, 32});
    c.axesLens = readAxes(json, "axes_lens", {300, 512, 512});
    c.capFeatDim = json.getInt("cap_feat_dim", 1024);
    c.validate(configJson.string());
    return c;
}

Lumina2Config lumina2ImageConfig() {
    Lumina2Config c;
    c.sampleSize = 128;
    c.patchSize = 2;
    c.inChannels = 16;
    c.outChannels = 16;
    c.hiddenSize = 2304;
    c.numLayers = 26;
    c.numRefinerLayers = 2;
    c.numAttentionHeads = 24;
    c.numKvHeads = 8;
    c.multipleOf = 256;
    c.normEps = 1e-5;
    c.scalingFactor = 1.0;
    c.axesDimRope = {32, 32, 32};
    c.axesLens = {300, 512, 512};
    c.capFeatDim = 2304;
    return c;
}

} // namespace lumina::models
