// Reference: diffusers models/autoencoders/vae.py (Encoder, Decoder) and unets/unet_2d_blocks.py
// (DownEncoderBlock2D, UpDecoderBlock2D).
#include "core/models/vae/vae_coder.h"

#include <torch/torch.h>

namespace lumina::models::vae {

CoderBlockImpl::CoderBlockImpl(Kind kind, int64_t in, int64_t out, int64_t resnets, int64_t groups,
                               bool resample, const torch::TensorOptions& options)
    : m_kind(kind) {
    m_resnets = register_module("resnets", torch::nn::ModuleList());
    for (int64_t i = 0; i < resnets; ++i)
        m_resnets->push_back(ResnetBlock(i == 0 ? in : out, out, groups, options));
    if (!resample) return;
    if (kind == Kind::Down) {
        m_resamplers = register_module("downsamplers", torch::nn::ModuleList());
        m_resamplers->push_back(Downsample(out, options));
    } else {
        m_resamplers = register_module("upsamplers", torch::nn::ModuleList());
        m_resamplers->push_back(Upsample(out, options));
    }
}

at::Tensor CoderBlockImpl::forward(const at::Tensor& x) const {
    at::Tensor h = x;
    for (const auto& r : *m_resnets)
        h = r->as<ResnetBlockImpl>()->forward(h);
    if (m_resamplers->is_empty()) return h;
    if (m_kind == Kind::Down) return m_resamplers->at<DownsampleImpl>(0).forward(h);
    return m_resamplers->at<UpsampleImpl>(0).forward(h);
}

EncoderImpl::EncoderImpl(const VAEConfig& config, const torch::TensorOptions& options) {
    const auto& ch = config.blockOutChannels;
    const int64_t groups = config.normNumGroups;
    m_convIn = register_module("conv_in", Conv2d(config.inChannels, ch.front(), 3, 1, 1, options));
    m_downBlocks = register_module("down_blocks", torch::nn::ModuleList());
    int64_t prev = ch.front();
    for (std::size_t i = 0; i < ch.size(); ++i) {
        const bool last = i + 1 == ch.size();
        m_downBlocks->push_back(CoderBlock(CoderBlockImpl::Kind::Down, prev, ch[i], config.layersPerBlock,
                                           groups, !last, options));
        prev = ch[i];
    }
    m_midBlock =
        register_module("mid_block", MidBlock(ch.back(), groups, config.midBlockAddAttention, options));
    m_normOut = register_module("conv_norm_out", GroupNorm(groups, ch.back(), options));
    m_convOut = register_module("conv_out", Conv2d(ch.back(), 2 * config.latentChannels, 3, 1, 1, options));
}

at::Tensor EncoderImpl::forwardDown(const at::Tensor& image) const {
    auto h = m_convIn->forward(image);
    for (const auto& b : *m_downBlocks)
        h = b->as<CoderBlockImpl>()->forward(h);
    return h;
}

at::Tensor EncoderImpl::forwardMid(const at::Tensor& h) const {
    return m_convOut->forward(vae::siluInPlace(m_normOut->forward(m_midBlock->forward(h))));
}

std::size_t EncoderImpl::downGroupNormCount() const {
    std::size_t calls = 0;
    for (const auto& b : *m_downBlocks)
        calls += 2 * b->as<CoderBlockImpl>()->resnetCount();
    return calls;
}

DecoderImpl::DecoderImpl(const VAEConfig& config, const torch::TensorOptions& options) {
    const std::vector<int64_t> ch(config.blockOutChannels.rbegin(), config.blockOutChannels.rend());
    const int64_t groups = config.normNumGroups;
    m_convIn = register_module("conv_in", Conv2d(config.latentChannels, ch.front(), 3, 1, 1, options));
    m_midBlock =
        register_module("mid_block", MidBlock(ch.front(), groups, config.midBlockAddAttention, options));
    m_upBlocks = register_module("up_blocks", torch::nn::ModuleList());
    int64_t prev = ch.front();
    for (std::size_t i = 0; i < ch.size(); ++i) {
        const bool last = i + 1 == ch.size();
        m_upBlocks->push_back(CoderBlock(CoderBlockImpl::Kind::Up, prev, ch[i], config.layersPerBlock + 1,
                                         groups, !last, options));
        prev = ch[i];
    }
    m_normOut = register_module("conv_norm_out", GroupNorm(groups, ch.back(), options));
    m_convOut = register_module("conv_out", Conv2d(ch.back(), config.outChannels, 3, 1, 1, options));
}

at::Tensor DecoderImpl::forwardMid(const at::Tensor& z) const {
    return m_midBlock->forward(m_convIn->forward(z));
}

at::Tensor DecoderImpl::forwardUpBlocks(const at::Tensor& h, std::size_t begin, std::size_t end) const {
    at::Tensor out = h;
    for (std::size_t i = begin; i < end && i < m_upBlocks->size(); ++i)
        out = m_upBlocks->at<CoderBlockImpl>(i).forward(out);
    return out;
}

at::Tensor DecoderImpl::forwardUp(const at::Tensor& h, std::size_t firstBlock) const {
    const auto up = forwardUpBlocks(h, firstBlock, m_upBlocks->size());
    return m_convOut->forward(vae::siluInPlace(m_normOut->forward(up)));
}

std::size_t DecoderImpl::upGroupNormCount(std::size_t firstBlock) const {
    std::size_t calls = 1;
    for (std::size_t i = firstBlock; i < m_upBlocks->size(); ++i)
        calls += 2 * m_upBlocks->at<CoderBlockImpl>(i).resnetCount();
    return calls;
}

} // namespace lumina::models::vae
