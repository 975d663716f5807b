#pragma once
// Grouped-query scaled-dot-product attention of the Lumina transformers (diffusers attention_processor.py,
// LuminaAttnProcessor2_0, and transformer_lumina2.py, Lumina2AttnProcessor2_0), without copies of K and V.
#include <ATen/core/Tensor.h>
#include <optional>

namespace lumina::models {

// q (B, S, heads, D); k, v (B, kvHeads, L, D); mask broadcastable to (B, 1, 1, L) bool or undefined. Query
// head h uses KV head h / (heads / kvHeads) as the references' repeat-interleave does, but K and V are never
// copied: the query heads of one KV head are stacked along the sequence axis ((B, kvHeads, rep * S, D)),
// which is one SDPA call with kvHeads heads; a per-key mask broadcasts over the stacked rows unchanged.
// (SDPA's enable_gqa was measured slower on CPU in torch 2.11: it falls back to the math kernel and repeats
// K/V inside.) Returns (B, S, heads, D). `scale` nullopt: SDPA's default 1/sqrt(D).
at::Tensor groupedQueryAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                 const std::optional<at::Tensor>& mask, std::optional<double> scale);

} // namespace lumina::models
