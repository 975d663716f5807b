#pragma once
// Key/value pooling for Context Drop, a non-reference speed mode of the Lumina-Next paper: self-attention
// keys and values (never queries) are average-pooled over w x w cells of the 2-D token grid before attention,
// so attention cost drops by about w^2. Follows the disabled `kv_merge` branch of the official
// Lumina-T2X visual_anagrams nextdit.py (Attention.forward). The transformer calls this; whether and with
// which window is the sampling policy's decision (core/sampling/context_drop.h).
#include <ATen/core/Tensor.h>
#include <cstdint>

namespace lumina::models {

struct PooledKeysValues {
    at::Tensor keys;   // (B, N', ...) with N' = ceil(gridH/w) * ceil(gridW/w)
    at::Tensor values; // same shape as keys
    int64_t gridHeight = 0;
    int64_t gridWidth = 0;
};

// keys, values: (B, N, ...) with N = gridHeight * gridWidth tokens in row-major grid order (token index =
// row * gridWidth + col), e.g. (B, N, kvHeads, headDim) after RoPE. Each w x w window is averaged (in fp32
// for reduced-precision inputs, then cast back); windows cut by the grid edge average only their valid
// tokens. The all-true self-attention mask just shrinks to N'. window == 1 returns the inputs.
PooledKeysValues poolKeysValues(const at::Tensor& keys, const at::Tensor& values, int64_t gridHeight,
                                int64_t gridWidth, int64_t window);

} // namespace lumina::models
