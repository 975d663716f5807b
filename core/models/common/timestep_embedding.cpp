// Port of diffusers embeddings.py: get_timestep_embedding (through Timesteps) and TimestepEmbedding.
#include "core/models/common/timestep_embedding.h"

#include <cmath>
#include <torch/torch.h>

namespace lumina::models {

// The same ops as the reference: scalar multiply by the double -ln(10000), divide by 128.0, exp.
at::Tensor timestepProjection(const at::Tensor& t) {
    constexpr int64_t half = kTimeFeatures / 2;
    auto exponent = at::arange(0, half, at::TensorOptions().dtype(at::kFloat).device(t.device()))
                        .mul(-std::log(10000.0))
                        .div(static_cast<double>(half) - 0.0);
    const auto args = t.unsqueeze(1).to(at::kFloat) * exponent.exp().unsqueeze(0);
    return at::cat({at::cos(args), at::sin(args)}, -1);
}

TimestepEmbeddingImpl::TimestepEmbeddingImpl(int64_t in, int64_t dim, const at::TensorOptions& o) {
    linear_1 = register_module("linear_1", Dense(in, dim, true, o));
    linear_2 = register_module("linear_2", Dense(dim, dim, true, o));
}

at::Tensor TimestepEmbeddingImpl::forward(const at::Tensor& features) const {
    return linear_2->forward(at::silu(linear_1->forward(features)));
}

} // namespace lumina::models
