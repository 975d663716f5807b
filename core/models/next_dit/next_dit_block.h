#pragma once
// One LuminaNextDiTBlock (diffusers transformers/lumina_nextdit2d.py, with LuminaAttnProcessor2_0 from
// attention_processor.py and LuminaFeedForward from attention.py); docs/reference-notes.md, Next-DiT.
#include "core/models/common/grouped_query_attention.h"
#include "core/models/common/lumina_layers.h"
#include "core/models/common/norm_layers.h"
#include "core/models/next_dit/next_dit_config.h"

#include <optional>

namespace lumina::models {

// The caption side of one block's cross-attention: depends only on the caption, so it is computed once per
// generation. key/value are (B, kvHeads, L, headDim) views, as the attention consumes them.
struct NextDiTLayerCaption {
    at::Tensor key;
    at::Tensor value;
};

// Attention projections named like diffusers' Attention (to_q, to_k, to_v, norm_q, norm_k[, to_out.0]).
class NextDiTAttentionImpl : public torch::nn::Module {
public:
    NextDiTAttentionImpl(const NextDiTConfig& config, int64_t keyInputDim, bool withOutput,
                         const at::TensorOptions& options);
    // norm_q(to_q(x)) viewed (B, S, heads, headDim), RoPE'd and cast back (LuminaAttnProcessor2_0 order).
    at::Tensor query(const at::Tensor& x, const at::Tensor& rope) const;
    // norm_k(to_k(x)) and to_v(x) viewed (B, S, kvHeads, headDim); RoPE on the key when `rope` is defined.
    at::Tensor key(const at::Tensor& x, const at::Tensor& rope) const;
    at::Tensor value(const at::Tensor& x) const;

    Dense to_q{nullptr}, to_k{nullptr}, to_v{nullptr};
    AffineLayerNorm norm_q{nullptr}, norm_k{nullptr}; // null when qk_norm is false
    Dense out{nullptr};                               // attn2.to_out.0
    int64_t heads, kvHeads, headDim;
};
TORCH_MODULE(NextDiTAttention);

// Context Drop: the self-attention keys/values of a (gridHeight x gridWidth) token grid pooled in
// window x window cells (window 1: no pooling).
struct KeyValuePooling {
    int64_t gridHeight = 0;
    int64_t gridWidth = 0;
    int64_t window = 1;
};

class NextDiTBlockImpl : public torch::nn::Module {
public:
    NextDiTBlockImpl(const NextDiTConfig& config, const at::TensorOptions& options);

    // Caption K/V of attn2 from the raw caption features (B, L, Dc): norm1_context, to_k/norm_k, to_v.
    NextDiTLayerCaption prepareCaption(const at::Tensor& captionFeatures) const;

    // x (B, N, hidden), temb (B, cond), rope (1, N, headDim/2) complex64 on x's device, mask (B, 1, 1, L)
    // bool. selfScale is the self-attention softmax scale (proportional attention,
    // LuminaAttnProcessor2_0.__call__).
    at::Tensor forward(const at::Tensor& x, const at::Tensor& temb, const at::Tensor& rope,
                       const NextDiTLayerCaption& caption, const at::Tensor& captionMask, double selfScale,
                       const KeyValuePooling& pooling = {}) const;

    // After loading: reuse attn1's RoPE'd query for attn2 when attn2.to_q and attn2.norm_q are bitwise
    // equal to attn1's (as in the published checkpoint;
    // docs/reference-notes.md, Next-DiT, "Shared query"); otherwise compute them separately.
    void resolveSharedQuery();
    bool sharesQuery() const { return m_sharedQuery; }

    at::Tensor gate;
    NextDiTAttention attn1{nullptr}, attn2{nullptr};
    LuminaFeedForward feedForward{nullptr}; // feed_forward
    LuminaRMSNormZero norm1{nullptr};       // norm1 (adaLN: norm1.linear, norm1.norm)
    RMSNorm norm2{nullptr}, ffnNorm1{nullptr}, ffnNorm2{nullptr}, contextNorm{nullptr};

private:
    bool m_sharedQuery = false;
};
TORCH_MODULE(NextDiTBlock);

} // namespace lumina::models
