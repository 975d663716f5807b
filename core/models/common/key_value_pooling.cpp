// Written from the Lumina-Next paper's description of Context Drop and the disabled kv_merge branch of the
// official Lumina-T2X visual_anagrams nextdit.py; not a line-by-line port.
#include "core/models/common/key_value_pooling.h"

#include "core/util/errors.h"

#include <fmt/format.h>
#include <torch/torch.h>
#include <vector>

namespace lumina::models {

namespace {

at::Tensor poolOne(const at::Tensor& x, int64_t gridHeight, int64_t gridWidth, int64_t window) {
    const auto shape = x.sizes().vec();
    const int64_t batch = shape[0];
    // (B, N, rest...) -> (B, C, H, W) for avg_pool2d, pooled in fp32 at least.
    const auto compute = at::isReducedFloatingType(x.scalar_type()) ? torch::kFloat32 : x.scalar_type();
    auto grid = x.reshape({batch, gridHeight, gridWidth, -1}).permute({0, 3, 1, 2}).to(compute);
    namespace F = torch::nn::functional;
    auto pooled = F::avg_pool2d(
        grid, F::AvgPool2dFuncOptions(window).stride(window).ceil_mode(true).count_include_pad(false));
    const int64_t outH = pooled.size(2), outW = pooled.size(3);
    std::vector<int64_t> outShape{batch, outH * outW};
    outShape.insert(outShape.end(), shape.begin() + 2, shape.end());
    return pooled.permute({0, 2, 3, 1}).reshape(outShape).to(x.scalar_type());
}

} // namespace

PooledKeysValues poolKeysValues(const at::Tensor& keys, const at::Tensor& values, int64_t gridHeight,
                                int64_t gridWidth, int64_t window) {
    if (window < 1) throw InvalidRequest(fmt::format("context drop window must be >= 1, got {}", window));
    if (gridHeight < 1 || gridWidth < 1 || keys.dim() < 2 || values.dim() < 2 ||
        keys.size(0) != values.size(0) || keys.size(1) != gridHeight * gridWidth ||
        values.size(1) != gridHeight * gridWidth)
        throw InvalidRequest(
            fmt::format("context drop needs keys and values of shape (B, {}x{} tokens, ...), got "
                        "{}-d and {}-d tensors",
                        gridHeight, gridWidth, keys.dim(), values.dim()));
    if (window == 1) return {keys, values, gridHeight, gridWidth};
    const int64_t outH = (gridHeight + window - 1) / window;
    const int64_t outW = (gridWidth + window - 1) / window;
    return {poolOne(keys, gridHeight, gridWidth, window), poolOne(values, gridHeight, gridWidth, window),
            outH, outW};
}

} // namespace lumina::models
