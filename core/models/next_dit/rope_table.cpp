// Port of diffusers embeddings.py: get_2d_rotary_pos_embed_lumina, get_1d_rotary_pos_embed (lumina branch,
// complex output, built on the CPU) and apply_rotary_emb (use_real=False, in real arithmetic).
#include "core/models/next_dit/rope_table.h"

#include "core/util/errors.h"

#include <fmt/format.h>
#include <map>
#include <mutex>
#include <torch/torch.h>
#include <tuple>

namespace lumina::models {
namespace {

// One axis: (len, dim/2) complex64. Every op mirrors the reference, including its implicit ones: the Python
// `1.0 / t` is reciprocal() * 1.0, `theta ** t` is pow(Scalar, Tensor) in fp32, `/ linear` a true division.
at::Tensor axisTable(int64_t dim, int64_t len, const RoPEFactors& f) {
    const double theta = 10000.0 * f.ntk;
    const auto exponent = at::arange(0, dim, 2, at::TensorOptions().dtype(at::kFloat)).div(dim);
    const auto freqs = at::pow(theta, exponent).reciprocal().mul(1.0).div(f.linear);
    const auto angles = at::outer(at::arange(len, at::TensorOptions().dtype(at::kLong)), freqs);
    return at::polar(at::ones_like(angles), angles);
}

at::Tensor build(int64_t headDim, int64_t lenH, int64_t lenW, const RoPEFactors& f) {
    at::NoGradGuard noGrad;
    const int64_t quarter = headDim / 4;
    auto h = axisTable(headDim / 2, lenH, f).view({lenH, 1, quarter, 1}).repeat({1, lenW, 1, 1});
    auto w = axisTable(headDim / 2, lenW, f).view({1, lenW, quarter, 1}).repeat({lenH, 1, 1, 1});
    return at::cat({h, w}, -1).flatten(2);
}

} // namespace

at::Tensor buildRoPETable(int64_t headDim, int64_t lenH, int64_t lenW, const RoPEFactors& factors) {
    if (headDim <= 0 || headDim % 4 != 0 || lenH <= 0 || lenW <= 0)
        throw InvalidRequest(
            fmt::format("RoPE table: head_dim {} must be a positive multiple of 4 and the grid "
                        "{}x{} positive",
                        headDim, lenH, lenW));
    if (!(factors.linear > 0.0) || !(factors.ntk > 0.0))
        throw InvalidRequest(fmt::format("RoPE table: linear factor {} and NTK factor {} must be positive",
                                         factors.linear, factors.ntk));
    using Key = std::tuple<int64_t, int64_t, int64_t, double, double>;
    static std::mutex mutex;
    static std::map<Key, at::Tensor> cache;
    const Key key{headDim, lenH, lenW, factors.linear, factors.ntk};
    std::lock_guard lock(mutex);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    // A generation uses at most two factor pairs (linear and NTK branch); keep a handful, drop the oldest
    // arbitrary entry beyond that so a long session with many resolutions does not grow without bound.
    if (cache.size() >= 8) cache.erase(cache.begin());
    auto table = build(headDim, lenH, lenW, factors);
    cache.emplace(key, table);
    return table;
}

at::Tensor realRoPETable(const at::Tensor& complexTable) {
    return at::view_as_real(complexTable).contiguous();
}

at::Tensor applyRoPE(const at::Tensor& x, const at::Tensor& freqs) {
    auto sizes = x.sizes().vec();
    sizes.back() /= 2;
    sizes.push_back(2);
    const auto pairs = x.to(at::kFloat).reshape(sizes);
    const auto a = pairs.select(-1, 0), b = pairs.select(-1, 1);
    const auto f = freqs.unsqueeze(2); // (1, S, 1, headDim/2, 2): one rotation for every head
    const auto cos = f.select(-1, 0), sin = f.select(-1, 1);
    const auto real = a * cos - b * sin;
    const auto imag = a * sin + b * cos;
    return at::stack({real, imag}, -1).flatten(3).to(x.scalar_type());
}

} // namespace lumina::models
