#pragma once
// Context Drop policy (Lumina-Next paper; NOT in the reference or the official T2I code): whether a model
// evaluation pools its self-attention keys and values, and over which window. The pooling itself is the
// model's (core/models/common/key_value_pooling.h). Window = round(sqrt(N / base)) as in the disabled
// `kv_merge` branch of the official Lumina-T2X visual_anagrams/models/nextdit.py (Attention.forward).
// Non-reference: results differ from the reference whenever it is active.
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

} // namespace lumina::sampling
