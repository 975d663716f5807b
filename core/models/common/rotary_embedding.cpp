// Port of diffusers embeddings.py: get_1d_rotary_pos_embed (complex output) and apply_rotary_emb
// (use_real=False), the latter in real arithmetic.
#include "core/models/common/rotary_embedding.h"

#include <torch/torch.h>

namespace lumina::models {

// Every op mirrors the reference, including its implicit ones: the Python `1.0 / t` is reciprocal() * 1.0,
// `theta ** t` is pow(Scalar, Tensor) in the table dtype, `/ linear_factor` a true division, and torch.outer
// of the int64 positions with the frequencies promotes to the frequencies' dtype.
at::Tensor rotaryAxisTable(int64_t dim, int64_t len, double theta, double linearFactor,
                           at::ScalarType freqsDtype) {
    at::NoGradGuard noGrad;
    const auto exponent = at::arange(0, dim, 2, at::TensorOptions().dtype(freqsDtype)).div(dim);
    const auto freqs = at::pow(theta, exponent).reciprocal().mul(1.0).div(linearFactor);
    const auto angles = at::outer(at::arange(len, at::TensorOptions().dtype(at::kLong)), freqs);
    return at::polar(at::ones_like(angles), angles);
}

at::Tensor applyRoPE(const at::Tensor& x, const at::Tensor& freqs) {
    auto sizes = x.sizes().vec();
    sizes.back() /= 2;
    sizes.push_back(2);
    const auto pairs = x.to(at::kFloat).reshape(sizes);
    const auto a = pairs.select(-1, 0), b = pairs.select(-1, 1);
    const auto f = freqs.unsqueeze(2); // (1 or B, S, 1, headDim/2, 2): one rotation for every head
    const auto cos = f.select(-1, 0), sin = f.select(-1, 1);
    const auto real = a * cos - b * sin;
    const auto imag = a * sin + b * cos;
    return at::stack({real, imag}, -1).flatten(3).to(x.scalar_type());
}

} // namespace lumina::models
