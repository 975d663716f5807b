#pragma once
// The sinusoidal time features and their MLP shared by the Lumina transformers: diffusers embeddings.py,
// Timesteps / get_timestep_embedding and TimestepEmbedding (linear_1, SiLU, linear_2).
#include "core/models/common/dense.h"

#include <ATen/core/Tensor.h>
#include <cstdint>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace lumina::models {

// Width of the sinusoidal features (frequency_embedding_size) in both Lumina transformers.
inline constexpr int64_t kTimeFeatures = 256;

// get_timestep_embedding(t, 256, flip_sin_to_cos=True, downscale_freq_shift=0) (embeddings.py): (B, 256)
// fp32 on t's device, cosine half first, built with the reference's ops so that it is bitwise equal.
at::Tensor timestepProjection(const at::Tensor& t);

// TimestepEmbedding with SiLU: linear_2(silu(linear_1(x))), registered as `linear_1`, `linear_2`.
class TimestepEmbeddingImpl : public torch::nn::Module {
public:
    TimestepEmbeddingImpl(int64_t in, int64_t dim, const at::TensorOptions& options);
    at::Tensor forward(const at::Tensor& features) const;
    Dense linear_1{nullptr}, linear_2{nullptr};
};
TORCH_MODULE(TimestepEmbedding);

} // namespace lumina::models
