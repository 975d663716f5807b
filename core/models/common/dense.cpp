#include "core/models/common/dense.h"

#include <torch/torch.h>

namespace lumina::models {

DenseImpl::DenseImpl(int64_t in, int64_t out, bool hasBias, const at::TensorOptions& options) {
    weight = register_parameter("weight", torch::empty({out, in}, options), /*requires_grad=*/false);
    if (hasBias) bias = register_parameter("bias", torch::empty({out}, options), false);
}

at::Tensor DenseImpl::forward(const at::Tensor& x) const {
    return at::linear(x, weight, bias);
}

} // namespace lumina::models
