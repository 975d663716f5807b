// Reference: diffusers models/resnet.py (ResnetBlock2D), upsampling.py (Upsample2D), downsampling.py
// (Downsample2D), attention_processor.py (Attention, AttnProcessor2_0), unets/unet_2d_blocks.py
// (UNetMidBlock2D).
#include "core/models/vae/vae_layers.h"

#include "core/models/common/attention_backend.h"

#include <cmath>
#include <torch/torch.h>

namespace lumina::models::vae {
namespace {

at::Tensor emptyParam(torch::nn::Module& m, const std::string& name, at::IntArrayRef shape,
                      const torch::TensorOptions& options) {
    return m.register_parameter(name, torch::empty(shape, options), /*requires_grad=*/false);
}

} // namespace

Conv2dImpl::Conv2dImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding,
                       const torch::TensorOptions& options)
    : m_stride(stride)
    , m_padding(padding) {
    m_weight = emptyParam(*this, "weight", {out, in, kernel, kernel}, options);
    m_bias = emptyParam(*this, "bias", {out}, options);
}

at::Tensor Conv2dImpl::forward(const at::Tensor& x) const {
    return at::conv2d(x, m_weight, m_bias, {m_stride, m_stride}, {m_padding, m_padding});
}

GroupNormImpl::GroupNormImpl(int64_t groups, int64_t channels, const torch::TensorOptions& options)
    : m_groups(groups) {
    m_weight = emptyParam(*this, "weight", {channels}, options);
    m_bias = emptyParam(*this, "bias", {channels}, options);
}

namespace {
thread_local GroupNormStats* tActiveStats = nullptr;
} // namespace

GroupNormStatsScope::GroupNormStatsScope(GroupNormStats* stats)
    : m_previous(tActiveStats) {
    tActiveStats = stats;
}
GroupNormStatsScope::~GroupNormStatsScope() {
    tActiveStats = m_previous;
}

void GroupNormStats::finishAccumulation(double eps) {
    const auto m = sum / count;
    const auto var = (sumSq / count - m * m).clamp_min(0.0);
    if (mean.size() <= target) mean.resize(target + 1), rstd.resize(target + 1);
    mean[target] = m.to(torch::kFloat).to(device);
    rstd[target] = (var + eps).rsqrt().to(torch::kFloat).to(device);
    sum = at::Tensor();
    sumSq = at::Tensor();
    count = 0;
}

at::Tensor GroupNormImpl::forward(const at::Tensor& x) const {
    if (tActiveStats && x.dim() == 4) return withStats(x, *tActiveStats);
    return at::group_norm(x, m_groups, m_weight, m_bias, kGroupNormEps);
}

at::Tensor GroupNormImpl::withStats(const at::Tensor& x, GroupNormStats& stats) const {
    const std::size_t call = stats.next++;
    const int64_t b = x.size(0), c = x.size(1);
    if (stats.mode == GroupNormStats::Mode::Record) {
        const auto grouped = x.to(torch::kFloat).reshape({b, m_groups, -1});
        const auto [var, mean] = at::var_mean(grouped, {2}, /*correction=*/0, /*keepdim=*/false);
        if (stats.mean.size() <= call) stats.mean.resize(call + 1), stats.rstd.resize(call + 1);
        stats.mean[call] = mean;
        stats.rstd[call] = (var + kGroupNormEps).rsqrt();
        return at::group_norm(x, m_groups, m_weight, m_bias, kGroupNormEps);
    }
    if (stats.mode == GroupNormStats::Mode::Accumulate && call == stats.target) {
        // Per-tile mean/variance (fp32, numerically stable kernel) merged in double: sum and sum of squares.
        const int64_t sy = x.size(2) / stats.tileH, sx = x.size(3) / stats.tileW;
        const auto owned = x.narrow(2, stats.ownY0 * sy, (stats.ownY1 - stats.ownY0) * sy)
                               .narrow(3, stats.ownX0 * sx, (stats.ownX1 - stats.ownX0) * sx)
                               .to(torch::kFloat)
                               .reshape({b, m_groups, -1});
        const auto [var, mean] = at::var_mean(owned, {2}, /*correction=*/0, /*keepdim=*/false);
        const double n = static_cast<double>(owned.size(2));
        stats.device = x.device();
        const auto sumDevice = x.is_mps() ? c10::Device(c10::kCPU) : x.device();
        const auto m = mean.to(sumDevice).to(torch::kDouble), v = var.to(sumDevice).to(torch::kDouble);
        const auto s = m * n, s2 = (v + m * m) * n;
        stats.sum = stats.sum.defined() ? stats.sum + s : s;
        stats.sumSq = stats.sumSq.defined() ? stats.sumSq + s2 : s2;
        stats.count += n;
        throw GroupNormStats::TargetReached{};
    }
    if (call >= stats.mean.size() || !stats.mean[call].defined())
        throw std::logic_error("GroupNormStats: a GroupNorm call has no statistics (tiles must run the same "
                               "network, and passes must make every call exact in order)");
    // Normalization and affine folded into one per-channel scale and shift: y = x * scale + shift, one fused
    // kernel in float32 (the statistics are float32 whatever the activation dtype).
    const auto groupScale = stats.rstd[call].unsqueeze(2);                            // (B, G, 1)
    const auto weight = m_weight.to(torch::kFloat).view({1, m_groups, c / m_groups}); // (1, G, C/G)
    const auto bias = m_bias.to(torch::kFloat).view({1, m_groups, c / m_groups});
    const auto scale = (groupScale * weight).reshape({b, c, 1, 1});
    const auto shift = (bias - stats.mean[call].unsqueeze(2) * groupScale * weight).reshape({b, c, 1, 1});
    return at::addcmul(shift, x.to(torch::kFloat), scale).to(x.scalar_type());
}

ResnetBlockImpl::ResnetBlockImpl(int64_t in, int64_t out, int64_t groups,
                                 const torch::TensorOptions& options) {
    m_norm1 = register_module("norm1", GroupNorm(groups, in, options));
    m_conv1 = register_module("conv1", Conv2d(in, out, 3, 1, 1, options));
    m_norm2 = register_module("norm2", GroupNorm(groups, out, options));
    m_conv2 = register_module("conv2", Conv2d(out, out, 3, 1, 1, options));
    if (in != out) m_shortcut = register_module("conv_shortcut", Conv2d(in, out, 1, 1, 0, options));
}

at::Tensor ResnetBlockImpl::forward(const at::Tensor& x) const {
    // In-place SiLU on the fresh GroupNorm outputs: same values, one activation-sized buffer less.
    auto h = m_conv1->forward(vae::siluInPlace(m_norm1->forward(x)));
    h = m_conv2->forward(vae::siluInPlace(m_norm2->forward(h)));
    // Reference order: input_tensor + hidden_states (then / output_scale_factor = 1, which is exact).
    if (m_shortcut) return m_shortcut->forward(x.contiguous()) + h;
    return x + h;
}

UpsampleImpl::UpsampleImpl(int64_t channels, const torch::TensorOptions& options) {
    m_conv = register_module("conv", Conv2d(channels, channels, 3, 1, 1, options));
}

at::Tensor UpsampleImpl::forward(const at::Tensor& x) const {
    // F.interpolate(scale_factor=2.0, mode="nearest") passes the scale factors through.
    auto up = at::upsample_nearest2d(x, {x.size(2) * 2, x.size(3) * 2}, 2.0, 2.0);
    return m_conv->forward(up);
}

DownsampleImpl::DownsampleImpl(int64_t channels, const torch::TensorOptions& options) {
    m_conv = register_module("conv", Conv2d(channels, channels, 3, 2, 0, options));
}

at::Tensor DownsampleImpl::forward(const at::Tensor& x) const {
    return m_conv->forward(at::constant_pad_nd(x, {0, 1, 0, 1}, 0));
}

at::Tensor chunkedAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                            uint64_t maxScoreBytes) {
    const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
    if (q.is_cuda()) {
        // The fused CUDA kernels never materialize the scores: one call. Only the math kernel does (for
        // example a head dim no fused kernel takes); its chunks are sized for a GPU, not for host memory.
        if (attentionKernelFor(q, k, v, std::nullopt, scale) != "math")
            return at::scaled_dot_product_attention(q, k, v, {}, 0.0, false, scale);
        maxScoreBytes = std::max(maxScoreBytes, kGpuAttentionScoreBudgetBytes);
    }
    const int64_t nq = q.size(-2), nk = k.size(-2);
    const uint64_t rowBytes = static_cast<uint64_t>(nk) * 4 * static_cast<uint64_t>(q.size(0) * q.size(1));
    const int64_t rows =
        std::max<int64_t>(1, static_cast<int64_t>(maxScoreBytes / std::max<uint64_t>(rowBytes, 1)));
    if (rows >= nq) return at::scaled_dot_product_attention(q, k, v, {}, 0.0, false, scale);
    auto out = at::empty_like(q, at::MemoryFormat::Contiguous);
    for (int64_t start = 0; start < nq; start += rows) {
        const int64_t len = std::min(rows, nq - start);
        out.narrow(-2, start, len)
            .copy_(at::scaled_dot_product_attention(q.narrow(-2, start, len), k, v, {}, 0.0, false, scale));
    }
    return out;
}

SpatialAttentionImpl::SpatialAttentionImpl(int64_t channels, int64_t groups,
                                           const torch::TensorOptions& options) {
    m_groupNorm = register_module("group_norm", GroupNorm(groups, channels, options));
    m_toQ = register_module("to_q", Dense(channels, channels, true, options));
    m_toK = register_module("to_k", Dense(channels, channels, true, options));
    m_toV = register_module("to_v", Dense(channels, channels, true, options));
    auto toOut = register_module("to_out", torch::nn::ModuleList());
    m_toOut = Dense(channels, channels, true, options);
    toOut->push_back(m_toOut);
}

at::Tensor SpatialAttentionImpl::forward(const at::Tensor& x) const {
    const int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    // Same op sequence as AttnProcessor2_0 on 4-D input: tokens (b, h*w, c) as a transposed view, GroupNorm
    // applied channel-first, one head of dim c.
    // GroupNorm over (b, c, h, w) is the same computation (same memory) as over the reference's (b, c, h*w).
    auto tokens = m_groupNorm->forward(x).view({b, c, h * w}).transpose(1, 2);
    auto q = m_toQ->forward(tokens).view({b, -1, 1, c}).transpose(1, 2);
    auto k = m_toK->forward(tokens).view({b, -1, 1, c}).transpose(1, 2);
    auto v = m_toV->forward(tokens).view({b, -1, 1, c}).transpose(1, 2);
    tokens = chunkedAttention(q, k, v, kAttentionScoreBudgetBytes);
    q = k = v = at::Tensor();
    tokens = tokens.transpose(1, 2).reshape({b, -1, c});
    tokens = m_toOut->forward(tokens);
    return tokens.transpose(-1, -2).reshape({b, c, h, w}) + x;
}

MidBlockImpl::MidBlockImpl(int64_t channels, int64_t groups, bool addAttention,
                           const torch::TensorOptions& options) {
    m_resnets = register_module("resnets", torch::nn::ModuleList());
    m_attentions = register_module("attentions", torch::nn::ModuleList());
    m_resnets->push_back(ResnetBlock(channels, channels, groups, options));
    m_resnets->push_back(ResnetBlock(channels, channels, groups, options));
    if (addAttention) m_attentions->push_back(SpatialAttention(channels, groups, options));
}

at::Tensor MidBlockImpl::forward(const at::Tensor& x) const {
    auto h = m_resnets->at<ResnetBlockImpl>(0).forward(x);
    if (!m_attentions->is_empty()) h = m_attentions->at<SpatialAttentionImpl>(0).forward(h);
    return m_resnets->at<ResnetBlockImpl>(1).forward(h);
}

} // namespace lumina::models::vae
