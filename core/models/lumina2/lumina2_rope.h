#pragma once
// The 3-axis rotary position embedding of Lumina-Image 2.0: diffusers transformer_lumina2.py,
// Lumina2RotaryPosEmbed (tables from get_1d_rotary_pos_embed, gathered by (caption position, row, column)).
#include "core/models/lumina2/lumina2_config.h"

#include <ATen/core/Tensor.h>
#include <array>
#include <c10/core/Device.h>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace lumina::models {

// Every table below is (B, S, headDim/2, 2) (cos, sin) pairs, the real view of the reference's complex table,
// in float64 (float32 where LibTorch has MPS, as the reference's freqs_dtype), on the requested device; the
// axes are concatenated along headDim/2 in the order caption, row, column.
class Lumina2RoPE {
public:
    explicit Lumina2RoPE(const Lumina2Config& config);

    // Caption token j < lengths[b] sits at (j, 0, 0); later tokens get all-zero rows, as the reference's
    // cap_freqs_cis. (B, captionTokens).
    at::Tensor caption(const std::vector<int64_t>& lengths, int64_t captionTokens, c10::Device device) const;
    // Image token (r, c) of sample b sits at (lengths[b], r, c): its caption-axis position is the sample's
    // caption length (img_freqs_cis). (B, gridH * gridW), tokens row-major.
    at::Tensor image(const std::vector<int64_t>& lengths, int64_t gridH, int64_t gridW,
                     c10::Device device) const;
    // The table for arbitrary (B, S, 3) integer positions (the reference's _get_freqs_cis).
    at::Tensor gather(const at::Tensor& positions) const;

    // Throws InvalidRequest when a caption length or grid side exceeds what axes_lens can encode.
    void checkRange(const std::vector<int64_t>& lengths, int64_t gridH, int64_t gridW) const;

    at::ScalarType dtype() const { return m_axes[0].scalar_type(); }

private:
    const std::array<at::Tensor, 3>& axesOn(c10::Device device) const;

    std::array<int64_t, 3> m_lens;
    std::array<at::Tensor, 3> m_axes; // per axis (len, dim/2, 2) on the CPU
    mutable std::mutex m_mutex;
    mutable std::map<std::string, std::array<at::Tensor, 3>> m_onDevice;
};

} // namespace lumina::models
