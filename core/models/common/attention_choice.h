#pragma once
// The attention kernel chosen by measurement (docs/gpu.md, Attention kernel): on first use for a device,
// dtype and head shape, every kernel LibTorch can run for a self-attention of the model's shape is timed, and
// the fastest goes first in LibTorch's priority order (every other kernel stays enabled, so a call the
// fastest cannot serve, such as a masked one for flash, still gets the best that can). The result is cached
// in a JSON file so that later runs start at once.
#include "core/vocabulary/choices.h"

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <filesystem>
#include <map>
#include <string>

namespace lumina::models {

// The self-attention the measurement times: (batch, heads, tokens, headDim) queries, keys and values.
struct AttentionProbe {
    c10::Device device = c10::kCPU;
    c10::ScalarType dtype = c10::kFloat;
    int64_t batch = 2;   // classifier-free guidance
    int64_t heads = 0;   // query heads
    int64_t kvHeads = 0; // key/value heads (0: as many as the query heads); grouped queries are stacked per
                         // key/value head as the transformers call SDPA
    int64_t headDim = 0;
    int64_t tokens = 0; // 0: 4096 on a GPU (the native 1024^2 image), 1024 on the CPU
    // The cache key: device, dtype, shape and the LibTorch version (a new release may change the kernels).
    std::string key() const;
};

struct AttentionMeasurement {
    std::string key;
    AttentionBackend fastest = AttentionBackend::LibTorch; // LibTorch: nothing could be measured
    std::map<std::string, double> milliseconds;            // per kernel that could serve the probe
    bool fromCache = false;
    bool onCpu = false;
};

// Times each kernel (math, flash, efficient, cudnn; on the CPU math and its fused flash kernel) that can
// serve the probe: two warm-ups, the median of three calls, the device synchronised around each. Leaves the
// kernel settings as they were.
AttentionMeasurement measureAttentionKernels(const AttentionProbe& probe);

// The cached measurement for the probe's key in `cacheFile`, else a new one stored there (an unreadable or
// malformed cache is measured again and rewritten, with a warning; a cache that cannot be written only
// warns). Thread-safe.
AttentionMeasurement attentionKernelByMeasurement(const AttentionProbe& probe,
                                                  const std::filesystem::path& cacheFile);

// Makes LibTorch prefer the measured kernel: first in the priority order on CUDA; on the CPU, where the
// order is fixed, math is chosen by turning the fused kernel off. LibTorch's defaults when nothing was
// measured.
void useMeasuredAttention(const AttentionMeasurement& measurement);

// A run's kernel setting applied process-wide: Auto on CUDA measures the probe once (cached in `cacheFile`)
// and puts the fastest kernel first; Auto elsewhere is LibTorch's order (on the CPU the reference's own
// kernel, so results stay bitwise equal to diffusers'); any other setting as useAttentionBackend. Returns the
// setting in effect for reports ("measured: flash", "libtorch", "math", ...).
std::string useAttentionSetting(AttentionBackend setting, const AttentionProbe& probe,
                                const std::filesystem::path& cacheFile);

// Where the studio and the CLI keep the cache: attention-kernels.json in the application data folder.
std::filesystem::path defaultAttentionCacheFile();

} // namespace lumina::models
