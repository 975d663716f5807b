#pragma once
// One Lumina2TransformerBlock with its attention (diffusers transformer_lumina2.py, Lumina2TransformerBlock
// and Lumina2AttnProcessor2_0; Attention from attention_processor.py with qk_norm="rms_norm").
#include "core/models/common/dense.h"
#include "core/models/common/lumina_layers.h"
#include "core/models/common/norm_layers.h"
#include "core/models/lumina2/lumina2_config.h"

#include <optional>

namespace lumina::models {

// Self-attention named like diffusers' Attention: to_q, to_k, to_v, norm_q, norm_k (RMSNorm over one head,
// eps 1e-5), to_out.0; no biases.
class Lumina2AttentionImpl : public torch::nn::Module {
public:
    Lumina2AttentionImpl(const Lumina2Config& config, const at::TensorOptions& options);
    // x (B, S, hidden); mask broadcastable to (B, 1, 1, S) bool (true = attend) or nullopt; rope
    // (1 or B, S, headDim/2, 2) (cos, sin). Softmax scale head_dim^-0.5 (no proportional attention).
    at::Tensor forward(const at::Tensor& x, const std::optional<at::Tensor>& mask,
                       const at::Tensor& rope) const;

    Dense to_q{nullptr}, to_k{nullptr}, to_v{nullptr}, out{nullptr};
    RMSNorm norm_q{nullptr}, norm_k{nullptr};
    int64_t heads, kvHeads, headDim;
    double scale;
};
TORCH_MODULE(Lumina2Attention);

// Whether a block is conditioned on the time embedding (noise_refiner, layers) or not (context_refiner).
enum class Modulation { On, Off };

class Lumina2BlockImpl : public torch::nn::Module {
public:
    Lumina2BlockImpl(const Lumina2Config& config, Modulation modulation, const at::TensorOptions& options);

    // x (B, S, hidden); mask as Lumina2Attention; temb (B, conditioningDim), ignored without modulation.
    at::Tensor forward(const at::Tensor& x, const std::optional<at::Tensor>& mask, const at::Tensor& rope,
                       const at::Tensor& temb) const;

    Lumina2Attention attn{nullptr};
    LuminaFeedForward feedForward{nullptr};
    LuminaRMSNormZero norm1Zero{nullptr}; // norm1 with modulation (norm1.linear, norm1.norm)
    RMSNorm norm1{nullptr};               // norm1 without modulation
    RMSNorm ffnNorm1{nullptr}, norm2{nullptr}, ffnNorm2{nullptr};
};
TORCH_MODULE(Lumina2Block);

} // namespace lumina::models
