#pragma once
// torch.nn.Linear as a parameter holder registered under the checkpoint's key names (`weight`, `bias`),
// shared by every network. It allocates with torch::empty and never initialises: weights always come from a
// checkpoint, and a model built on the meta device (shape checks) or left unloaded costs no memory.
#include <ATen/core/Tensor.h>
#include <cstdint>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace lumina::models {

// y = x W^T (+ b).
class DenseImpl : public torch::nn::Module {
public:
    DenseImpl(int64_t in, int64_t out, bool bias, const at::TensorOptions& options);
    at::Tensor forward(const at::Tensor& x) const;
    at::Tensor weight;
    at::Tensor bias; // undefined when the layer has no bias
};
TORCH_MODULE(Dense);

} // namespace lumina::models
