// Parameter holders mirroring torch.nn.LayerNorm and diffusers normalization.py RMSNorm.
#include "core/models/common/norm_layers.h"

#include <torch/torch.h>

namespace lumina::models {

AffineLayerNormImpl::AffineLayerNormImpl(int64_t dim, double eps_, const at::TensorOptions& options)
    : eps(eps_) {
    weight = register_parameter("weight", torch::empty({dim}, options), false);
    bias = register_parameter("bias", torch::empty({dim}, options), false);
}

at::Tensor AffineLayerNormImpl::forward(const at::Tensor& x) const {
    return at::layer_norm(x, {x.size(-1)}, weight, bias, eps);
}

RMSNormImpl::RMSNormImpl(int64_t dim, double eps_, const at::TensorOptions& options)
    : eps(eps_) {
    weight = register_parameter("weight", torch::empty({dim}, options), false);
}

at::Tensor RMSNormImpl::forward(const at::Tensor& x) const {
    const auto variance = x.to(at::kFloat).pow(2).mean(-1, /*keepdim=*/true);
    auto y = x * at::rsqrt(variance + eps);
    const auto wt = weight.scalar_type();
    if (wt == at::kHalf || wt == at::kBFloat16) y = y.to(wt);
    return y * weight;
}

} // namespace lumina::models
