#pragma once
// 2-D rotary position table of Lumina-Next: diffusers embeddings.py, get_2d_rotary_pos_embed_lumina and
// get_1d_rotary_pos_embed. Its application is applyRoPE (core/models/common/rotary_embedding.h).
#include "core/vocabulary/rope_factors.h"

#include <ATen/core/Tensor.h>
#include <cstdint>

namespace lumina::models {

// The pipeline's table size: 384 x 384 tokens (6144 px per side).
inline constexpr int64_t kRoPETableSide = 384;

// (lenH, lenW, headDim/2) complex64 table on the CPU, built with the same ATen ops, dtypes and order as the
// reference (so it is bitwise equal on the same LibTorch build). table[r, c, 2k] is the row frequency k at
// row r, table[r, c, 2k+1] the column frequency k at column c. Results are cached per (headDim, lenH, lenW,
// factors), so a generation builds each distinct table once instead of once per step; the returned tensor is
// shared and must not be modified. Thread-safe. Throws InvalidRequest for a headDim not divisible by 4 or
// non-positive sizes/factors.
at::Tensor buildRoPETable(int64_t headDim, int64_t lenH, int64_t lenW, const RoPEFactors& factors);

// The complex table as real (..., headDim/2, 2) float32 pairs (cos, sin) = view_as_real(table), the layout
// the models keep on their device: no complex tensors leave the CPU (MPS has no complex kernels).
at::Tensor realRoPETable(const at::Tensor& complexTable);

} // namespace lumina::models
