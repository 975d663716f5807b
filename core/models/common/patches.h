#pragma once
// Token grid -> image of the Lumina transformers, whose final layers both emit each patch's features in
// (p, q, channel) order: the unpatchify of diffusers LuminaNextDiT2DModel.forward and
// Lumina2Transformer2DModel.forward (view, permute(4, 0, 2, 1, 3), flatten).
#include <ATen/core/Tensor.h>
#include <cstdint>

namespace lumina::models {

// tokens (B, (h/patch) * (w/patch), patch * patch * channels), row-major over the grid -> (B, channels, h,
// w).
at::Tensor unpatchifyTokens(const at::Tensor& tokens, int64_t h, int64_t w, int64_t patch, int64_t channels);

} // namespace lumina::models
