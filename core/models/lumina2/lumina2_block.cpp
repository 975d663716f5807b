// Port of diffusers transformer_lumina2.py, Lumina2TransformerBlock and Lumina2AttnProcessor2_0.
#include "core/models/lumina2/lumina2_block.h"

#include "core/models/common/grouped_query_attention.h"
#include "core/models/common/rotary_embedding.h"

#include <cmath>
#include <torch/torch.h>
#include <utility>

namespace lumina::models {
namespace {

// A child module with no parameters of its own, reproducing diffusers' nesting (to_out.0).
struct Group : torch::nn::Module {};

} // namespace

Lumina2AttentionImpl::Lumina2AttentionImpl(const Lumina2Config& c, const at::TensorOptions& o)
    : heads(c.numAttentionHeads)
    , kvHeads(c.numKvHeads)
    , headDim(c.headDim())
    // Attention.scale = dim_head**-0.5, a Python double.
    , scale(std::pow(static_cast<double>(c.headDim()), -0.5)) {
    to_q = register_module("to_q", Dense(c.hiddenSize, c.hiddenSize, false, o));
    to_k = register_module("to_k", Dense(c.hiddenSize, c.kvDim(), false, o));
    to_v = register_module("to_v", Dense(c.hiddenSize, c.kvDim(), false, o));
    norm_q = register_module("norm_q", RMSNorm(c.headDim(), 1e-5, o));
    norm_k = register_module("norm_k", RMSNorm(c.headDim(), 1e-5, o));
    auto toOut = register_module("to_out", std::make_shared<Group>());
    out = toOut->register_module("0", Dense(c.hiddenSize, c.hiddenSize, false, o));
}

at::Tensor Lumina2AttentionImpl::forward(const at::Tensor& x, const std::optional<at::Tensor>& mask,
                                         const at::Tensor& rope) const {
    const int64_t b = x.size(0);
    // Lumina2AttnProcessor2_0 order: project, view per head, RMSNorm per head, rotate (in the table's
    // precision, cast back). The reference repeats K/V per query head; groupedQueryAttention reads them in
    // place.
    const auto q = applyRoPE(norm_q->forward(to_q->forward(x).view({b, -1, heads, headDim})), rope);
    auto k =
        applyRoPE(norm_k->forward(to_k->forward(x).view({b, -1, kvHeads, headDim})), rope).transpose(1, 2);
    auto v = to_v->forward(x).view({b, -1, kvHeads, headDim}).transpose(1, 2);
    auto attended = groupedQueryAttention(q, k, v, mask, scale);
    k = v = at::Tensor();
    return out->forward(attended.flatten(-2));
}

Lumina2BlockImpl::Lumina2BlockImpl(const Lumina2Config& c, Modulation modulation,
                                   const at::TensorOptions& o) {
    attn = register_module("attn", Lumina2Attention(c, o));
    feedForward = register_module("feed_forward", LuminaFeedForward(c.hiddenSize, c.ffnInnerDim(), o));
    if (modulation == Modulation::On)
        norm1Zero =
            register_module("norm1", LuminaRMSNormZero(c.hiddenSize, c.conditioningDim(), c.normEps, o));
    else
        norm1 = register_module("norm1", RMSNorm(c.hiddenSize, c.normEps, o));
    ffnNorm1 = register_module("ffn_norm1", RMSNorm(c.hiddenSize, c.normEps, o));
    norm2 = register_module("norm2", RMSNorm(c.hiddenSize, c.normEps, o));
    ffnNorm2 = register_module("ffn_norm2", RMSNorm(c.hiddenSize, c.normEps, o));
}

at::Tensor Lumina2BlockImpl::forward(const at::Tensor& x, const std::optional<at::Tensor>& mask,
                                     const at::Tensor& rope, const at::Tensor& temb) const {
    // In-place arithmetic on the block's own temporaries is exact: each product and sum is the reference's
    // (IEEE
    // + and * commute) in the same dtype, and each temporary dies with its scope.
    if (!norm1Zero) {
        // x + norm2(attn(norm1(x))), then h + ffn_norm2(ffn(ffn_norm1(h))).
        const auto h = norm2->forward(attn->forward(norm1->forward(x), mask, rope)).add_(x);
        return ffnNorm2->forward(feedForward->forward(ffnNorm1->forward(h))).add_(h);
    }
    auto mod = norm1Zero->forward(x, temb);
    at::Tensor h;
    {
        const auto xn = std::move(mod.normed); // dies with this scope, before the feed-forward
        // x + tanh(gate_msa) * norm2(attn(norm1(x) * (1 + scale_msa)))
        h = norm2->forward(attn->forward(xn, mask, rope)).mul_(mod.gateMsa.unsqueeze(1).tanh()).add_(x);
    }
    const auto ffn = feedForward->forward(ffnNorm1->forward(h).mul_(1 + mod.scaleMlp.unsqueeze(1)));
    // h + tanh(gate_mlp) * ffn_norm2(ffn)
    return ffnNorm2->forward(ffn).mul_(mod.gateMlp.unsqueeze(1).tanh()).add_(h);
}

} // namespace lumina::models
