#pragma once
// Normalisation layers shared by the Lumina transformers (Next-DiT, Lumina-Image 2.0), registered under
// diffusers' key names (`weight`, `bias`). They allocate with torch::empty and never initialise: weights
// always come from a checkpoint, and a model built on the meta device (shape checks) or left unloaded costs
// no memory. Reference: torch.nn.LayerNorm, diffusers normalization.py RMSNorm.
#include <ATen/core/Tensor.h>
#include <cstdint>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace lumina::models {

// nn.LayerNorm with affine weight and bias (Next-DiT's qk norms and caption LayerNorm).
class AffineLayerNormImpl : public torch::nn::Module {
public:
    AffineLayerNormImpl(int64_t dim, double eps, const at::TensorOptions& options);
    at::Tensor forward(const at::Tensor& x) const;
    at::Tensor weight, bias;
    double eps;
};
TORCH_MODULE(AffineLayerNorm);

// diffusers RMSNorm with a weight and no bias: mean of squares in fp32, x * rsqrt(var + eps) (fp32 when x
// is half precision), cast to the weight's dtype when that is fp16/bf16, then times the weight (diffusers
// models/normalization.py, RMSNorm.forward).
class RMSNormImpl : public torch::nn::Module {
public:
    RMSNormImpl(int64_t dim, double eps, const at::TensorOptions& options);
    at::Tensor forward(const at::Tensor& x) const;
    at::Tensor weight;
    double eps;
};
TORCH_MODULE(RMSNorm);

} // namespace lumina::models
