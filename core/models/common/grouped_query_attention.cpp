// Grouped-query attention by query stacking; reference: diffusers attention_processor.py,
// LuminaAttnProcessor2_0.__call__ (repeat_interleave of K/V), transformer_lumina2.py,
// Lumina2AttnProcessor2_0.__call__ (repeat + flatten, the same head order).
#include "core/models/common/grouped_query_attention.h"

#include <torch/torch.h>

namespace lumina::models {

at::Tensor groupedQueryAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                 const std::optional<at::Tensor>& mask, std::optional<double> scale) {
    const int64_t b = q.size(0), s = q.size(1), heads = q.size(2), d = q.size(3), kvHeads = k.size(1);
    const auto qt = q.transpose(1, 2); // (B, heads, S, D), a view as in the reference
    if (kvHeads == heads)
        return at::scaled_dot_product_attention(qt, k, v, mask, 0.0, false, scale).transpose(1, 2);
    const int64_t rep = heads / kvHeads;
    const auto grouped = qt.reshape({b, kvHeads, rep * s, d});
    const auto out = at::scaled_dot_product_attention(grouped, k, v, mask, 0.0, false, scale);
    return out.reshape({b, heads, s, d}).transpose(1, 2);
}

} // namespace lumina::models
