// Reference: diffusers models/autoencoders/autoencoder_kl.py, AutoencoderKL.__init__ (config keys and
// defaults).
#include "core/models/vae/vae_config.h"

#include "core/io/json_file.h"

#include <fmt/format.h>

namespace lumina::models {

VAEConfig VAEConfig::fromFile(const std::filesystem::path& configJson) {
    const auto json = io::JsonConfig::load(configJson);
    if (json.has("_class_name") && json.getString("_class_name") != "AutoencoderKL")
        json.fail("_class_name", "\"AutoencoderKL\" (other autoencoders are not supported)");
    VAEConfig c;
    c.inChannels = json.getInt("in_channels", c.inChannels);
    c.outChannels = json.getInt("out_channels", c.outChannels);
    c.latentChannels = json.getInt("latent_channels", c.latentChannels);
    c.layersPerBlock = json.getInt("layers_per_block", c.layersPerBlock);
    c.normNumGroups = json.getInt("norm_num_groups", c.normNumGroups);
    if (json.has("block_out_channels")) c.blockOutChannels = json.getIntList("block_out_channels");
    c.scalingFactor = json.getDouble("scaling_factor", c.scalingFactor);
    c.shiftFactor = json.getOptionalDouble("shift_factor");
    c.useQuantConv = json.getBool("use_quant_conv", true);
    c.usePostQuantConv = json.getBool("use_post_quant_conv", true);
    c.midBlockAddAttention = json.getBool("mid_block_add_attention", true);

    if (c.inChannels < 1 || c.outChannels < 1 || c.latentChannels < 1)
        json.fail("in_channels", "positive channel counts");
    if (c.layersPerBlock < 1) json.fail("layers_per_block", "an integer >= 1");
    if (c.blockOutChannels.empty() || c.blockOutChannels.size() > 8)
        json.fail("block_out_channels", "a list of 1 to 8 channel counts");
    if (c.normNumGroups < 1) json.fail("norm_num_groups", "an integer >= 1");
    for (const auto ch : c.blockOutChannels)
        if (ch < 1 || ch % c.normNumGroups != 0)
            json.fail("block_out_channels",
                      fmt::format("channel counts divisible by norm_num_groups = {}", c.normNumGroups));
    if (!(c.scalingFactor > 0.0)) json.fail("scaling_factor", "a positive number");
    if (json.getString("act_fn", "silu") != "silu")
        json.fail("act_fn", "\"silu\" (the only activation implemented)");
    const auto checkTypes = [&](const std::string& key, const std::string& expected) {
        if (!json.has(key)) return;
        const auto types = json.getStringList(key);
        if (types.size() != c.blockOutChannels.size())
            json.fail(key,
                      fmt::format("{} entries, one per block_out_channels entry", c.blockOutChannels.size()));
        for (const auto& t : types)
            if (t != expected) json.fail(key, fmt::format("only \"{}\" entries", expected));
    };
    checkTypes("down_block_types", "DownEncoderBlock2D");
    checkTypes("up_block_types", "UpDecoderBlock2D");
    return c;
}

VAEConfig VAEConfig::sdxl() {
    VAEConfig c;
    c.layersPerBlock = 2;
    c.blockOutChannels = {128, 256, 512, 512};
    c.scalingFactor = 0.13025;
    return c;
}

VAEConfig VAEConfig::flux() {
    VAEConfig c = sdxl();
    c.latentChannels = 16;
    c.useQuantConv = false;
    c.usePostQuantConv = false;
    c.scalingFactor = 0.3611;
    c.shiftFactor = 0.1159;
    return c;
}

} // namespace lumina::models
