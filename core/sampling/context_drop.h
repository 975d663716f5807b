#pragma once
// Context Drop (Lumina-Next paper; NOT in the reference or official T2I code, spec §4.8): an optional speed
// mode that average-pools self-attention keys and values (never queries) over the 2-D token grid before
// attention, so attention cost drops by about window^2 at large resolutions. Follows the disabled `kv_merge`
// branch of the official visual_anagrams nextdit.py: window = round(sqrt(N / base)). Non-reference: results
// differ from the reference whenever it is active. The transformer decides whether to call poolKeysValues.
#include <ATen/core/Tensor.h>
#include <cstdint>
#include <utility>

namespace lumina::sampling {

struct ContextDropSettings {
    bool enabled = false;
    // Active for tStart <= t < tEnd (Lumina time, 0 = noise). Default: the whole trajectory.
    double tStart = 0.0;
    double tEnd = 1.0;
    int64_t baseSequenceLength = 4096; // (1024/16)^2: no pooling at or below the native token count
};

// round(sqrt(tokens / base)), at least 1.
int64_t contextDropWindow(int64_t tokens, int64_t baseSequenceLength);

// Whether to pool for a forward pass with `tokens` image tokens at Lumina time t (window must exceed 1).
bool contextDropActive(const ContextDropSettings& settings, double t, int64_t tokens);

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

} // namespace lumina::sampling
