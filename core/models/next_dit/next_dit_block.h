#pragma once
// One LuminaNextDiTBlock (diffusers transformers/lumina_nextdit2d.py, with LuminaAttnProcessor2_0 from
// attention_processor.py and LuminaFeedForward from attention.py); docs/reference-notes.md, Next-DiT.
#include "core/models/next_dit/layers.h"
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

// Grouped-query SDPA. q (B, S, heads, D); k, v (B, kvHeads, L, D); mask broadcastable to (B, 1, 1, L) bool or
// undefined. Query head h uses KV head h / (heads / kvHeads) as the reference's repeat-interleave does, but K
// and V are never copied: the query heads of one KV head are stacked along the sequence axis
// ((B, kvHeads, rep * S, D)), which is one SDPA call with kvHeads heads. (SDPA's enable_gqa was measured
// slower on CPU in torch 2.11: it falls back to the math kernel and repeats K/V inside.) Returns
// (B, S, heads, D). `scale` nullopt: SDPA's default 1/sqrt(D), as the reference's cross-attention.
at::Tensor groupedQueryAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                 const std::optional<at::Tensor>& mask, std::optional<double> scale);

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
    Dense ff1{nullptr}, ff2{nullptr}, ff3{nullptr}; // feed_forward.linear_1/2/3
    Dense adaLN{nullptr};                           // norm1.linear
    RMSNorm norm1{nullptr};                         // norm1.norm
    RMSNorm norm2{nullptr}, ffnNorm1{nullptr}, ffnNorm2{nullptr}, contextNorm{nullptr};

private:
    bool m_sharedQuery = false;
};
TORCH_MODULE(NextDiTBlock);

} // namespace lumina::models
