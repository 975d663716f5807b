// Port of diffusers attention.py, LuminaFeedForward (with FP32SiLU), and normalization.py, LuminaRMSNormZero
// and LuminaLayerNormContinuous.
#include "core/models/common/lumina_layers.h"

#include <torch/torch.h>

namespace lumina::models {

LuminaFeedForwardImpl::LuminaFeedForwardImpl(int64_t dim, int64_t width, const at::TensorOptions& o) {
    linear_1 = register_module("linear_1", Dense(dim, width, false, o));
    linear_2 = register_module("linear_2", Dense(width, dim, false, o));
    linear_3 = register_module("linear_3", Dense(dim, width, false, o));
}

at::Tensor LuminaFeedForwardImpl::forward(const at::Tensor& x) const {
    // In place on the layer's own temporary: copy_ casts as .to() does, and the gate product is the
    // reference's product in the same dtype, so the widest activation exists once.
    auto a = linear_1->forward(x);
    if (a.scalar_type() == at::kFloat)
        at::silu_(a);
    else
        a.copy_(at::silu(a.to(at::kFloat)));
    return linear_2->forward(a.mul_(linear_3->forward(x)));
}

LuminaRMSNormZeroImpl::LuminaRMSNormZeroImpl(int64_t dim, int64_t conditioningDim, double eps,
                                             const at::TensorOptions& o) {
    linear = register_module("linear", Dense(conditioningDim, 4 * dim, true, o));
    norm = register_module("norm", RMSNorm(dim, eps, o));
}

RMSNormZeroOutput LuminaRMSNormZeroImpl::forward(const at::Tensor& x, const at::Tensor& temb) const {
    const auto mod = linear->forward(at::silu(temb)).chunk(4, 1);
    return {norm->forward(x).mul_(1 + mod[0].unsqueeze(1)), mod[1], mod[2], mod[3]};
}

LuminaLayerNormContinuousImpl::LuminaLayerNormContinuousImpl(int64_t dim, int64_t conditioningDim,
                                                             int64_t outDim, const at::TensorOptions& o) {
    linear_1 = register_module("linear_1", Dense(conditioningDim, dim, true, o));
    linear_2 = register_module("linear_2", Dense(dim, outDim, true, o));
}

at::Tensor LuminaLayerNormContinuousImpl::forward(const at::Tensor& x, const at::Tensor& temb) const {
    const auto scale = linear_1->forward(at::silu(temb));
    return linear_2->forward(at::layer_norm(x, {x.size(-1)}, {}, {}, 1e-6).mul_((1 + scale).unsqueeze(1)));
}

} // namespace lumina::models
