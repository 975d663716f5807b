#pragma once
// Rotary position tables of the Lumina transformers and their application in real arithmetic: diffusers
// embeddings.py, get_1d_rotary_pos_embed (complex output) and apply_rotary_emb with use_real=False (the "used
// for lumina" branch).
#include <ATen/core/Tensor.h>
#include <c10/core/ScalarType.h>
#include <cstdint>

namespace lumina::models {

// get_1d_rotary_pos_embed(dim, len, theta, use_real=False, linear_factor, freqs_dtype): (len, dim/2) complex
// on the CPU (complex64 for kFloat, complex128 for kDouble), built with the reference's ops in its order so
// that it is bitwise equal on the same LibTorch build. `theta` is the reference's theta * ntk_factor.
at::Tensor rotaryAxisTable(int64_t dim, int64_t len, double theta, double linearFactor,
                           at::ScalarType freqsDtype);

// Rotates x (B, S, heads, headDim) by freqs (1 or B, S, headDim/2, 2) (cos, sin) pairs on x's device: the
// interleaved pairs (a, b) of x, taken in fp32, become (a cos - b sin, a sin + b cos), cast back to x's
// dtype. This is the reference's complex product written out: with an fp32 table it is the complex64 product
// (Lumina-Next), with an fp64 table the complex128 product that type promotion makes of a complex64 query
// times Lumina-Image 2.0's complex128 table. Each product and sum rounds as the complex kernel's does.
at::Tensor applyRoPE(const at::Tensor& x, const at::Tensor& freqs);

} // namespace lumina::models
