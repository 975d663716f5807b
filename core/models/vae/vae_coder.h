#pragma once
// Reference: diffusers models/autoencoders/vae.py (Encoder, Decoder) and unets/unet_2d_blocks.py
// (DownEncoderBlock2D, UpDecoderBlock2D, UNetMidBlock2D).
#include "core/models/vae/vae_config.h"
#include "core/models/vae/vae_layers.h"

namespace lumina::models::vae {

// Image (B, in, H, W) -> moments (B, 2*latent, H/f, W/f), before quant_conv.
class EncoderImpl : public torch::nn::Module {
public:
    EncoderImpl(const VAEConfig& config, const torch::TensorOptions& options);
    at::Tensor forward(const at::Tensor& image) const { return forwardMid(forwardDown(image)); }
    // conv_in + down blocks (local operations only: tileable).
    at::Tensor forwardDown(const at::Tensor& image) const;
    // mid block (global attention, latent resolution) + conv_norm_out + SiLU + conv_out.
    at::Tensor forwardMid(const at::Tensor& h) const;
    // GroupNorm calls forwardDown makes: two per resnet.
    std::size_t downGroupNormCount() const;

private:
    Conv2d m_convIn{nullptr}, m_convOut{nullptr};
    torch::nn::ModuleList m_downBlocks;
    MidBlock m_midBlock{nullptr};
    GroupNorm m_normOut{nullptr};
};
TORCH_MODULE(Encoder);

// Latent (B, latent, h, w), after post_quant_conv -> decoder output (B, out, h*f, w*f), about [-1, 1].
class DecoderImpl : public torch::nn::Module {
public:
    DecoderImpl(const VAEConfig& config, const torch::TensorOptions& options);
    at::Tensor forward(const at::Tensor& z) const { return forwardUp(forwardMid(z)); }
    // conv_in + mid block (latent resolution; holds the global attention).
    at::Tensor forwardMid(const at::Tensor& z) const;
    // Up blocks from `firstBlock` on + conv_norm_out + SiLU + conv_out (local operations only: tileable).
    at::Tensor forwardUp(const at::Tensor& h, std::size_t firstBlock = 0) const;
    // Up blocks [begin, end) only, each with its upsampler.
    at::Tensor forwardUpBlocks(const at::Tensor& h, std::size_t begin, std::size_t end) const;
    std::size_t upBlockCount() const { return m_upBlocks->size(); }
    // GroupNorm calls forwardUp(h, firstBlock) makes: two per resnet, plus conv_norm_out.
    std::size_t upGroupNormCount(std::size_t firstBlock) const;

private:
    Conv2d m_convIn{nullptr}, m_convOut{nullptr};
    MidBlock m_midBlock{nullptr};
    torch::nn::ModuleList m_upBlocks;
    GroupNorm m_normOut{nullptr};
};
TORCH_MODULE(Decoder);

// One down or up block: resnets, then an optional resampler (downsamplers.0 / upsamplers.0).
class CoderBlockImpl : public torch::nn::Module {
public:
    enum class Kind { Down, Up };
    CoderBlockImpl(Kind kind, int64_t in, int64_t out, int64_t resnets, int64_t groups, bool resample,
                   const torch::TensorOptions& options);
    at::Tensor forward(const at::Tensor& x) const;
    std::size_t resnetCount() const { return m_resnets->size(); }

private:
    torch::nn::ModuleList m_resnets, m_resamplers;
    Kind m_kind;
};
TORCH_MODULE(CoderBlock);

} // namespace lumina::models::vae
