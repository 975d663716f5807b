#pragma once
// Reference: diffusers models/autoencoders/autoencoder_kl.py (AutoencoderKL) and vae.py
// (DiagonalGaussianDistribution: the logvar clamp).
#include "core/io/module_loader.h"
#include "core/models/vae/vae_coder.h"
#include "core/models/vae/vae_config.h"

#include <filesystem>
#include <memory>
#include <utility>

namespace lumina::models {

class AutoencoderKLImpl : public torch::nn::Module {
public:
    AutoencoderKLImpl(const VAEConfig& config, const torch::TensorOptions& options);

    // z already unscaled (latents / scaling + shift); returns the decoder output, about [-1, 1].
    at::Tensor decode(const at::Tensor& z) const;
    // decode() in parts for tiled decoding: post_quant_conv + conv_in + mid block (global attention,
    // latent resolution), then the up path (local convolutions only) from up block `firstBlock` on, or up
    // blocks [begin, end) alone.
    at::Tensor decodeMid(const at::Tensor& z) const;
    at::Tensor decodeUp(const at::Tensor& h, std::size_t firstBlock = 0) const;
    at::Tensor decodeUpBlocks(const at::Tensor& h, std::size_t begin, std::size_t end) const;
    std::size_t upBlockCount() const { return m_decoder->upBlockCount(); }
    std::size_t upGroupNormCount(std::size_t firstBlock) const {
        return m_decoder->upGroupNormCount(firstBlock);
    }
    // (mean, logvar) of the posterior, logvar clamped to [-30, 20] as the reference does.
    std::pair<at::Tensor, at::Tensor> encode(const at::Tensor& image) const;
    // encode() in parts for tiled encoding: conv_in + down blocks (local convolutions only), then the mid
    // block (global attention, latent resolution) + conv_out + quant_conv -> (mean, logvar).
    at::Tensor encodeDown(const at::Tensor& image) const;
    std::pair<at::Tensor, at::Tensor> encodeMoments(const at::Tensor& h) const;
    std::size_t downGroupNormCount() const { return m_encoder->downGroupNormCount(); }

    const VAEConfig& config() const { return m_config; }
    c10::ScalarType dtype() const;
    c10::Device device() const;

private:
    VAEConfig m_config;
    vae::Encoder m_encoder{nullptr};
    vae::Decoder m_decoder{nullptr};
    vae::Conv2d m_quantConv{nullptr}, m_postQuantConv{nullptr};
};
TORCH_MODULE(AutoencoderKL);

// Loads vae/ (config.json + diffusion_pytorch_model[.safetensors|index]) strictly. Legacy attention names
// (query/key/value/proj_attn) are accepted. fp16 is refused for this VAE family (SDXL VAE activations
// overflow fp16): it runs in fp32 instead and says so in the log. Throws ModelLoadError.
std::shared_ptr<AutoencoderKLImpl> loadVAE(const std::filesystem::path& folder,
                                           const io::LoadOptions& options);

// Builds the model for `config` and fills it strictly from `weights` (keys as `options.rename` maps them),
// with loadVAE's dtype rule. Used by loadVAE and loadVAESingleFile (vae_single_file.h). Throws
// ModelLoadError.
std::shared_ptr<AutoencoderKLImpl> loadVAEWeights(const VAEConfig& config, const io::WeightSet& weights,
                                                  io::LoadOptions options);

// The checks of loadVAE (config, tensor names and shapes) without reading tensor data.
void validateVAE(const std::filesystem::path& folder);

// Checkpoint key -> module key for pre-2023 diffusers attention names; other keys unchanged.
std::string renameLegacyVAEKey(const std::string& key);

} // namespace lumina::models
