#pragma once
// The building blocks both Lumina transformers (Next-DiT and Lumina-Image 2.0) take from diffusers:
// LuminaFeedForward (attention.py), LuminaRMSNormZero and LuminaLayerNormContinuous (normalization.py),
// registered under their diffusers key names.
#include "core/models/common/dense.h"
#include "core/models/common/feed_forward_width.h"
#include "core/models/common/norm_layers.h"

#include <ATen/core/Tensor.h>
#include <cstdint>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace lumina::models {

// linear_2(FP32SiLU(linear_1(x)) * linear_3(x)), no biases. SiLU runs in fp32 and is cast back before the
// product (FP32SiLU). `width` is luminaFeedForwardWidth(...).
class LuminaFeedForwardImpl : public torch::nn::Module {
public:
    LuminaFeedForwardImpl(int64_t dim, int64_t width, const at::TensorOptions& options);
    at::Tensor forward(const at::Tensor& x) const;
    Dense linear_1{nullptr}, linear_2{nullptr}, linear_3{nullptr};
};
TORCH_MODULE(LuminaFeedForward);

// LuminaRMSNormZero's outputs: norm(x) * (1 + scale_msa) and the three remaining (B, dim) chunks.
struct RMSNormZeroOutput {
    at::Tensor normed;
    at::Tensor gateMsa, scaleMlp, gateMlp;
};

// LuminaRMSNormZero: `linear` (min(dim, 1024) -> 4 * dim, bias) on silu(temb), chunks in the order scale_msa,
// gate_msa, scale_mlp, gate_mlp; `norm` an RMSNorm over dim.
class LuminaRMSNormZeroImpl : public torch::nn::Module {
public:
    LuminaRMSNormZeroImpl(int64_t dim, int64_t conditioningDim, double eps, const at::TensorOptions& options);
    RMSNormZeroOutput forward(const at::Tensor& x, const at::Tensor& temb) const;
    Dense linear{nullptr};
    RMSNorm norm{nullptr};
};
TORCH_MODULE(LuminaRMSNormZero);

// LuminaLayerNormContinuous as both models configure it (elementwise_affine=False, eps 1e-6, out_dim set):
// linear_2(LayerNorm(x) * (1 + linear_1(silu(temb)))), scale only.
class LuminaLayerNormContinuousImpl : public torch::nn::Module {
public:
    LuminaLayerNormContinuousImpl(int64_t dim, int64_t conditioningDim, int64_t outDim,
                                  const at::TensorOptions& options);
    // x (B, S, dim), temb (B, conditioningDim) -> (B, S, outDim).
    at::Tensor forward(const at::Tensor& x, const at::Tensor& temb) const;
    Dense linear_1{nullptr}, linear_2{nullptr};
};
TORCH_MODULE(LuminaLayerNormContinuous);

} // namespace lumina::models
