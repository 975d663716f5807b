#pragma once
// Reference: diffusers models/autoencoders/autoencoder_kl.py, AutoencoderKL.__init__ (its config.json keys).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace lumina::models {

// The AutoencoderKL hyper-parameters that shape the network, read from vae/config.json.
struct VAEConfig {
    int64_t inChannels = 3;
    int64_t outChannels = 3;
    int64_t latentChannels = 4;
    int64_t layersPerBlock = 1; // the decoder uses layersPerBlock + 1 resnets per up block
    int64_t normNumGroups = 32;
    std::vector<int64_t> blockOutChannels{64};
    double scalingFactor = 0.18215;
    std::optional<double> shiftFactor;
    bool useQuantConv = true;
    bool usePostQuantConv = true;
    bool midBlockAddAttention = true;

    // Pixels per latent pixel along one axis: 2^(blocks - 1).
    int64_t spatialFactor() const { return int64_t{1} << (blockOutChannels.size() - 1); }

    // Reads config.json (diffusers defaults for absent keys). Throws ModelLoadError naming file and key
    // for anything this implementation cannot build (other block types, activations, group counts).
    static VAEConfig fromFile(const std::filesystem::path& configJson);
    // The published SDXL VAE (vae/config.json of stabilityai/sdxl-vae, as shipped in the Lumina-Next
    // checkpoint), for benchmarks without a checkpoint.
    static VAEConfig sdxl() {
        VAEConfig c;
        c.layersPerBlock = 2;
        c.blockOutChannels = {128, 256, 512, 512};
        c.scalingFactor = 0.13025;
        return c;
    }
    // The FLUX.1 VAE that Lumina-Image 2.0 uses (vae/config.json of Alpha-VLLM/Lumina-Image-2.0): 16 latent
    // channels, no quant convs, scaling 0.3611 and shift 0.1159 (docs/vae.md).
    static VAEConfig flux() {
        VAEConfig c = sdxl();
        c.latentChannels = 16;
        c.useQuantConv = false;
        c.usePostQuantConv = false;
        c.scalingFactor = 0.3611;
        c.shiftFactor = 0.1159;
        return c;
    }
};

} // namespace lumina::models
