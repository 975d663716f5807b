#pragma once
// Resolution extrapolation policy: which (linear, NTK) factors the RoPE table gets at a given Lumina time,
// and the proportional-attention base. Reference: diffusers pipeline_lumina.py (always scale, watershed 1.0)
// and the official Lumina-T2X demos (scale only for extrapolation sizes, watershed 0.3:
// lumina_next_t2i_mini/demo.py, model_main). Pure arithmetic: no tensors.
#include "core/vocabulary/choices.h"
#include "core/vocabulary/rope_factors.h"

#include <cstdint>

namespace lumina::sampling {

constexpr int64_t kNativeImageSize = 1024; // transformer sample_size (128) * VAE factor (8)

// How the time-aware switch compares t with the watershed. diffusers' LuminaPipeline compares an fp32 tensor
// with a Python float, which rounds the watershed to fp32; the official NextDiT.forward_with_cfg compares the
// Python float t[0].item() with it, in double. They differ when t equals fp32(watershed) < watershed.
enum class WatershedComparison { Float32, Float64 };

// mode None: lambda = nu = 1; Linear: always lambda = s_f; NTK: always nu = s_f; TimeAware: t < watershed
// linear (lambda = s_f, nu = 1), otherwise NTK (lambda = 1, nu = s_f).
struct RoPEScalingSettings {
    RoPEScaling mode = RoPEScaling::TimeAware;
    double watershed = 1.0; // strict t < watershed selects linear
    // true: diffusers (scale every size, s_f < 1 below native); false: official demos (only W*H > native^2
    // is scaled; other sizes get lambda = nu = 1).
    bool applyBelowNative = true;
    int64_t nativeImageSize = kNativeImageSize;
    WatershedComparison comparison = WatershedComparison::Float32;
};

// s_f = sqrt(W*H / native^2) in double, as both code bases compute it (sqrt(W*H)/native can differ by 1 ulp).
double ropeScalingFactor(int64_t width, int64_t height, int64_t nativeImageSize = kNativeImageSize);

// Factors for one model evaluation at Lumina time t (t_model[0] of the batch; the official solvers pass
// each stage's t). Throws InvalidRequest for non-positive sizes or a watershed outside [0, 1].
RoPEFactors ropeFactors(const RoPEScalingSettings& settings, int64_t width, int64_t height, float t);

// Proportional attention: base_sequence_length = (native / 16)^2 (4096 for 1024), the image-token count at
// which the self-attention scale is unchanged.
inline int64_t proportionalAttentionBase(int64_t nativeImageSize = kNativeImageSize) {
    return (nativeImageSize / 16) * (nativeImageSize / 16);
}

} // namespace lumina::sampling
