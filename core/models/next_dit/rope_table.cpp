// Port of diffusers embeddings.py: get_2d_rotary_pos_embed_lumina over get_1d_rotary_pos_embed (complex64,
// built on the CPU).
#include "core/models/next_dit/rope_table.h"

#include "core/models/common/rotary_embedding.h"
#include "core/util/errors.h"

#include <fmt/format.h>
#include <map>
#include <mutex>
#include <torch/torch.h>
#include <tuple>

namespace lumina::models {
namespace {

at::Tensor build(int64_t headDim, int64_t lenH, int64_t lenW, const RoPEFactors& f) {
    at::NoGradGuard noGrad;
    const int64_t quarter = headDim / 4;
    auto h = rotaryAxisTable(headDim / 2, lenH, 10000.0 * f.ntk, f.linear, at::kFloat)
                 .view({lenH, 1, quarter, 1})
                 .repeat({1, lenW, 1, 1});
    auto w = rotaryAxisTable(headDim / 2, lenW, 10000.0 * f.ntk, f.linear, at::kFloat)
                 .view({1, lenW, quarter, 1})
                 .repeat({lenH, 1, 1, 1});
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

} // namespace lumina::models
