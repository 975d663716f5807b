#pragma once
// Reference: diffusers models/resnet.py (ResnetBlock2D), upsampling.py (Upsample2D), downsampling.py
// (Downsample2D), attention_processor.py (Attention + AttnProcessor2_0 as used by UNetMidBlock2D).
// Parameters are created empty under the checkpoint's key names and filled by io::loadModuleWeights.
#include "core/models/common/dense.h"
#include "core/models/vae/tile_spans.h"
#include "core/models/vae/vae_memory.h"

#include <ATen/core/Tensor.h>
#include <ATen/ops/silu.h>
#include <cstdint>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>
#include <vector>

namespace lumina::models::vae {

// 2-D convolution holding `weight` [out, in, k, k] and `bias` [out].
class Conv2dImpl : public torch::nn::Module {
public:
    Conv2dImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding,
               const torch::TensorOptions& options);
    at::Tensor forward(const at::Tensor& x) const;

private:
    at::Tensor m_weight, m_bias;
    int64_t m_stride, m_padding;
};
TORCH_MODULE(Conv2d);

// GroupNorm statistics shared by all tiles of a tiled decode (thread-local while installed by
// GroupNormStatsScope). Calls are numbered in execution order, which is the same for every tile.
struct GroupNormStats {
    enum class Mode {
        Record,     // store each call's own statistics (a whole-image pass at reduced size)
        Replay,     // normalize with the stored statistics
        Accumulate, // replay calls before `target`; at `target`, sum the tile's owned region and stop the
                    // tile by throwing TargetReached (nothing after it needs computing in this pass)
    };
    struct TargetReached {};
    Mode mode = Mode::Record;
    std::vector<at::Tensor> mean, rstd; // per call: (B, groups) float
    std::size_t target = 0;             // Accumulate: the call whose statistics are being summed
    at::Tensor sum, sumSq;              // Accumulate: (B, groups) double over the owned regions so far
    double count = 0;
    // Where the statistics are used. The double sums live there too, except on MPS (no float64): on the CPU.
    c10::Device device = c10::kCPU;
    // Region owned by the current tile, in latent pixels relative to the tile input's origin; tileH/W is the
    // tile input's size in latent pixels (an activation of height H covers rows [ownY0, ownY1) * H / tileH).
    int64_t ownY0 = 0, ownY1 = 0, ownX0 = 0, ownX1 = 0, tileH = 1, tileW = 1;
    std::size_t next = 0;

    // Starts a tile that reads the spans' read regions and owns their own regions (tiled decode and encode).
    void beginTile(const Span& y, const Span& x) {
        next = 0;
        tileH = y.read1 - y.read0;
        tileW = x.read1 - x.read0;
        ownY0 = y.own0 - y.read0;
        ownY1 = y.own1 - y.read0;
        ownX0 = x.own0 - x.read0;
        ownX1 = x.own1 - x.read0;
    }

    // Turns the sums of the target call into its mean/rstd and clears them. Exact once the statistics of
    // every earlier call are: pass k of the progressive refinement makes call k exact.
    void finishAccumulation(double eps);
};

class GroupNormStatsScope {
public:
    explicit GroupNormStatsScope(GroupNormStats* stats);
    ~GroupNormStatsScope();
    GroupNormStatsScope(const GroupNormStatsScope&) = delete;
    GroupNormStatsScope& operator=(const GroupNormStatsScope&) = delete;

private:
    GroupNormStats* m_previous;
};

// Affine GroupNorm (eps 1e-6 everywhere in the VAE).
class GroupNormImpl : public torch::nn::Module {
public:
    GroupNormImpl(int64_t groups, int64_t channels, const torch::TensorOptions& options);
    at::Tensor forward(const at::Tensor& x) const;

private:
    at::Tensor withStats(const at::Tensor& x, GroupNormStats& stats) const;
    at::Tensor m_weight, m_bias;
    int64_t m_groups;
};
TORCH_MODULE(GroupNorm);

// ResnetBlock2D without time embedding: shortcut(x) + conv2(silu(gn2(conv1(silu(gn1(x)))))).
class ResnetBlockImpl : public torch::nn::Module {
public:
    ResnetBlockImpl(int64_t in, int64_t out, int64_t groups, const torch::TensorOptions& options);
    at::Tensor forward(const at::Tensor& x) const;

private:
    GroupNorm m_norm1{nullptr}, m_norm2{nullptr};
    Conv2d m_conv1{nullptr}, m_conv2{nullptr}, m_shortcut{nullptr};
};
TORCH_MODULE(ResnetBlock);

// Nearest x2 then 3x3 conv (`upsamplers.0.conv`).
class UpsampleImpl : public torch::nn::Module {
public:
    UpsampleImpl(int64_t channels, const torch::TensorOptions& options);
    at::Tensor forward(const at::Tensor& x) const;

private:
    Conv2d m_conv{nullptr};
};
TORCH_MODULE(Upsample);

// Zero pad right/bottom by 1, then 3x3 conv with stride 2 (`downsamplers.0.conv`).
class DownsampleImpl : public torch::nn::Module {
public:
    DownsampleImpl(int64_t channels, const torch::TensorOptions& options);
    at::Tensor forward(const at::Tensor& x) const;

private:
    Conv2d m_conv{nullptr};
};
TORCH_MODULE(Downsample);

// Single-head spatial self-attention with GroupNorm and residual (keys group_norm, to_q, to_k, to_v,
// to_out.0).
class SpatialAttentionImpl : public torch::nn::Module {
public:
    SpatialAttentionImpl(int64_t channels, int64_t groups, const torch::TensorOptions& options);
    at::Tensor forward(const at::Tensor& x) const;

private:
    GroupNorm m_groupNorm{nullptr};
    Dense m_toQ{nullptr}, m_toK{nullptr}, m_toV{nullptr}, m_toOut{nullptr};
};
TORCH_MODULE(SpatialAttention);

// UNetMidBlock2D as the VAE uses it: resnet, (attention), resnet.
class MidBlockImpl : public torch::nn::Module {
public:
    MidBlockImpl(int64_t channels, int64_t groups, bool addAttention, const torch::TensorOptions& options);
    at::Tensor forward(const at::Tensor& x) const;

private:
    torch::nn::ModuleList m_resnets, m_attentions;
};
TORCH_MODULE(MidBlock);

// SiLU in place on a fresh temporary (same values as nn.SiLU, one activation-sized buffer less).
inline at::Tensor siluInPlace(at::Tensor t) {
    at::silu_(t);
    return t;
}

// The same on CUDA when only the math kernel can serve the call (fused kernels are never chunked).
inline constexpr uint64_t kGpuAttentionScoreBudgetBytes = uint64_t{2} << 30;
// Every GroupNorm of this VAE family uses eps 1e-6.
inline constexpr double kGroupNormEps = 1e-6;

// scaled_dot_product_attention over (B, heads, N, D) tensors, split along the queries so that no chunk's
// score matrix exceeds `maxScoreBytes`. Rows are independent, so chunking changes no value beyond kernel
// rounding. On CUDA a fused kernel takes the whole call, and the math kernel gets at least
// kGpuAttentionScoreBudgetBytes per chunk.
at::Tensor chunkedAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                            uint64_t maxScoreBytes);

} // namespace lumina::models::vae
