// Port of diffusers LuminaNextDiTBlock (transformers/lumina_nextdit2d.py), LuminaAttnProcessor2_0
// (attention_processor.py), LuminaFeedForward (attention.py) and LuminaRMSNormZero (normalization.py).
#include "core/models/next_dit/next_dit_block.h"

#include "core/models/common/key_value_pooling.h"
#include "core/models/common/rotary_embedding.h"

#include <torch/torch.h>
#include <utility>

namespace lumina::models {
namespace {

// A child module with no parameters of its own, used to reproduce diffusers' nesting (norm1.linear, ...).
struct Group : torch::nn::Module {};

} // namespace

NextDiTAttentionImpl::NextDiTAttentionImpl(const NextDiTConfig& c, int64_t keyInputDim, bool withOutput,
                                           const at::TensorOptions& o)
    : heads(c.numAttentionHeads)
    , kvHeads(c.numKvHeads)
    , headDim(c.headDim()) {
    to_q = register_module("to_q", Dense(c.hiddenSize, c.hiddenSize, false, o));
    to_k = register_module("to_k", Dense(keyInputDim, c.kvDim(), false, o));
    to_v = register_module("to_v", Dense(keyInputDim, c.kvDim(), false, o));
    if (c.qkNorm) {
        norm_q = register_module("norm_q", AffineLayerNorm(c.hiddenSize, 1e-5, o));
        norm_k = register_module("norm_k", AffineLayerNorm(c.kvDim(), 1e-5, o));
    }
    if (withOutput) {
        auto toOut = register_module("to_out", std::make_shared<Group>());
        out = toOut->register_module("0", Dense(c.hiddenSize, c.hiddenSize, false, o));
    }
}

at::Tensor NextDiTAttentionImpl::query(const at::Tensor& x, const at::Tensor& rope) const {
    auto q = to_q->forward(x);
    if (norm_q) q = norm_q->forward(q);
    return applyRoPE(q.view({x.size(0), -1, heads, headDim}), rope);
}

at::Tensor NextDiTAttentionImpl::key(const at::Tensor& x, const at::Tensor& rope) const {
    auto k = to_k->forward(x);
    if (norm_k) k = norm_k->forward(k);
    k = k.view({x.size(0), -1, kvHeads, headDim});
    return rope.defined() ? applyRoPE(k, rope) : k;
}

at::Tensor NextDiTAttentionImpl::value(const at::Tensor& x) const {
    return to_v->forward(x).view({x.size(0), -1, kvHeads, headDim});
}

NextDiTBlockImpl::NextDiTBlockImpl(const NextDiTConfig& c, const at::TensorOptions& o) {
    gate = register_parameter("gate", torch::empty({c.numAttentionHeads}, o), false);
    attn1 = register_module("attn1", NextDiTAttention(c, c.hiddenSize, false, o));
    attn2 = register_module("attn2", NextDiTAttention(c, c.crossAttentionDim, true, o));
    feedForward = register_module("feed_forward", LuminaFeedForward(c.hiddenSize, c.ffnInnerDim(), o));
    norm1 = register_module("norm1", LuminaRMSNormZero(c.hiddenSize, c.conditioningDim(), c.normEps, o));
    ffnNorm1 = register_module("ffn_norm1", RMSNorm(c.hiddenSize, c.normEps, o));
    norm2 = register_module("norm2", RMSNorm(c.hiddenSize, c.normEps, o));
    ffnNorm2 = register_module("ffn_norm2", RMSNorm(c.hiddenSize, c.normEps, o));
    contextNorm = register_module("norm1_context", RMSNorm(c.crossAttentionDim, c.normEps, o));
}

void NextDiTBlockImpl::resolveSharedQuery() {
    at::NoGradGuard noGrad;
    auto same = [](const at::Tensor& a, const at::Tensor& b) {
        return a.sizes() == b.sizes() && a.scalar_type() == b.scalar_type() && at::equal(a, b);
    };
    m_sharedQuery = same(attn1->to_q->weight, attn2->to_q->weight);
    if (m_sharedQuery && attn1->norm_q)
        m_sharedQuery = same(attn1->norm_q->weight, attn2->norm_q->weight) &&
                        same(attn1->norm_q->bias, attn2->norm_q->bias);
}

NextDiTLayerCaption NextDiTBlockImpl::prepareCaption(const at::Tensor& captionFeatures) const {
    const auto normed = contextNorm->forward(captionFeatures);
    return {attn2->key(normed, at::Tensor()).transpose(1, 2), attn2->value(normed).transpose(1, 2)};
}

at::Tensor NextDiTBlockImpl::forward(const at::Tensor& x, const at::Tensor& temb, const at::Tensor& rope,
                                     const NextDiTLayerCaption& caption, const at::Tensor& captionMask,
                                     double selfScale, const KeyValuePooling& pooling) const {
    // LuminaRMSNormZero: scale-only modulation. In-place arithmetic on the block's own temporaries is exact:
    // every product and sum is the reference's (IEEE + and * commute), computed in the same dtype; each
    // temporary dies with its scope, so a block holds a few hidden-state-sized tensors at a time instead of
    // every intermediate.
    auto mod = norm1->forward(x, temb);
    at::Tensor h;
    {
        const auto xn = std::move(mod.normed); // dies with this scope, before the feed-forward
        const auto q = attn1->query(xn, rope);
        auto k = attn1->key(xn, rope);
        auto v = attn1->value(xn);
        if (pooling.window > 1) {
            auto pooled = poolKeysValues(k, v, pooling.gridHeight, pooling.gridWidth, pooling.window);
            k = pooled.keys;
            v = pooled.values;
        }
        k = k.transpose(1, 2);
        v = v.transpose(1, 2);
        // The reference passes an all-true mask here; no mask is the same softmax and lets SDPA use its fast
        // path.
        const auto selfOut = groupedQueryAttention(q, k, v, std::nullopt, selfScale);
        k = v = at::Tensor();
        const auto q2 = m_sharedQuery ? q : attn2->query(xn, rope);
        auto crossOut = groupedQueryAttention(q2, caption.key, caption.value, captionMask, std::nullopt);
        // selfOut + crossOut * tanh(gate)
        const auto mixed = crossOut.mul_(gate.tanh().view({1, 1, -1, 1})).add_(selfOut).flatten(-2);
        // x + tanh(gate_msa) * norm2(attn2.to_out(mixed))
        h = norm2->forward(attn2->out->forward(mixed)).mul_(mod.gateMsa.unsqueeze(1).tanh()).add_(x);
    }
    const auto ffn = feedForward->forward(ffnNorm1->forward(h).mul_(1 + mod.scaleMlp.unsqueeze(1)));
    // h + tanh(gate_mlp) * ffn_norm2(ffn)
    return ffnNorm2->forward(ffn).mul_(mod.gateMlp.unsqueeze(1).tanh()).add_(h);
}

} // namespace lumina::models
