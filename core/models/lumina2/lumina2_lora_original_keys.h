#pragma once
// Reference: diffusers loaders/lora_conversion_utils.py, _convert_non_diffusers_lumina2_lora_to_diffusers: a
// Lumina-Image 2.0 LoRA in the original key layout (`diffusion_model.` keys, fused attention.qkv) renamed to
// the diffusers module names. docs/lumina2.md, LoRA.
#include <ATen/core/Tensor.h>
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lumina::models {

// `tensors` are the file's keys with `diffusion_model.` removed. Returns the diffusers keys
// (`transformer.layers.0.attn.to_q.lora_A.weight`, ...) in the converter's order: for each block of
// noise_refiner, context_refiner and layers (indices 0..n-1, n the number of distinct indices found), the
// fused qkv's lora_A shared by to_q, to_k and to_v and its lora_B split by rows into `qkvRows` (views;
// diffusers splits at the published widths 2304/768/768, which are the published model's rows),
// attention.out, feed_forward.w1..w3 and, except in context_refiner, adaLN_modulation.1. Throws
// ModelLoadError naming `source` and the key when a block lacks one of those tensors, a qkv lora_B does not
// have the rows, or any tensor is left over (lora_down / lora_up names, .alpha values, other modules), as the
// converter refuses them.
std::vector<std::pair<std::string, at::Tensor>>
convertOriginalLumina2Lora(std::vector<std::pair<std::string, at::Tensor>> tensors,
                           const std::array<int64_t, 3>& qkvRows, const std::string& source);

} // namespace lumina::models
