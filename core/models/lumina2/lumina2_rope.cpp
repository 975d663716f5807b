// Port of diffusers transformer_lumina2.py, Lumina2RotaryPosEmbed (_precompute_freqs_cis, _get_freqs_cis and
// the position ids of forward).
#include "core/models/lumina2/lumina2_rope.h"

#include "core/models/common/rotary_embedding.h"
#include "core/util/errors.h"

#include <ATen/Context.h>
#include <fmt/format.h>
#include <torch/torch.h>

namespace lumina::models {

Lumina2RoPE::Lumina2RoPE(const Lumina2Config& config)
    : m_lens(config.axesLens) {
    // _precompute_freqs_cis: theta 10000, float64 unless MPS is available (then float32), on the CPU.
    const auto freqsDtype = at::hasMPS() ? at::kFloat : at::kDouble;
    for (std::size_t i = 0; i < 3; ++i)
        m_axes[i] = at::view_as_real(
                        rotaryAxisTable(config.axesDimRope[i], config.axesLens[i], 10000.0, 1.0, freqsDtype))
                        .contiguous();
}

const std::array<at::Tensor, 3>& Lumina2RoPE::axesOn(c10::Device device) const {
    std::lock_guard lock(m_mutex);
    auto it = m_onDevice.find(device.str());
    if (it == m_onDevice.end())
        it = m_onDevice
                 .emplace(device.str(),
                          std::array{m_axes[0].to(device), m_axes[1].to(device), m_axes[2].to(device)})
                 .first;
    return it->second;
}

at::Tensor Lumina2RoPE::gather(const at::Tensor& positions) const {
    const auto& axes = axesOn(positions.device());
    const int64_t b = positions.size(0), s = positions.size(1);
    std::vector<at::Tensor> parts;
    for (int64_t i = 0; i < 3; ++i) {
        const auto& table = axes[static_cast<std::size_t>(i)];
        const auto ids = positions.select(2, i).reshape({-1}).to(at::kLong);
        parts.push_back(table.index_select(0, ids).view({b, s, table.size(1), 2}));
    }
    return at::cat(parts, 2);
}

void Lumina2RoPE::checkRange(const std::vector<int64_t>& lengths, int64_t gridH, int64_t gridW) const {
    for (const auto len : lengths)
        if (len >= m_lens[0])
            throw InvalidRequest(
                fmt::format("Lumina 2: a caption of {} tokens exceeds the RoPE table (axes_lens[0] "
                            "= {} allows at most {} caption tokens)",
                            len, m_lens[0], m_lens[0] - 1));
    if (gridH > m_lens[1] || gridW > m_lens[2])
        throw InvalidRequest(
            fmt::format("Lumina 2: a {}x{} token grid exceeds the RoPE table (axes_lens {}x{})", gridH, gridW,
                        m_lens[1], m_lens[2]));
}

at::Tensor Lumina2RoPE::caption(const std::vector<int64_t>& lengths, int64_t captionTokens,
                                c10::Device device) const {
    const auto b = static_cast<int64_t>(lengths.size());
    auto positions = at::zeros({b, captionTokens, 3}, at::TensorOptions().dtype(at::kLong));
    for (int64_t i = 0; i < b; ++i)
        positions[i].select(1, 0).narrow(0, 0, lengths[i]).copy_(at::arange(lengths[i], at::kLong));
    auto table = gather(positions.to(device));
    // cap_freqs_cis starts as zeros and receives only the first lengths[b] rows.
    for (int64_t i = 0; i < b; ++i)
        table[i].narrow(0, lengths[i], captionTokens - lengths[i]).zero_();
    return table;
}

at::Tensor Lumina2RoPE::image(const std::vector<int64_t>& lengths, int64_t gridH, int64_t gridW,
                              c10::Device device) const {
    const auto b = static_cast<int64_t>(lengths.size());
    const auto opts = at::TensorOptions().dtype(at::kLong);
    const auto rows = at::arange(gridH, opts).view({-1, 1}).expand({gridH, gridW}).reshape({-1});
    const auto cols = at::arange(gridW, opts).view({1, -1}).expand({gridH, gridW}).reshape({-1});
    auto positions = at::empty({b, gridH * gridW, 3}, opts);
    for (int64_t i = 0; i < b; ++i) {
        positions[i].select(1, 0).fill_(lengths[i]);
        positions[i].select(1, 1).copy_(rows);
        positions[i].select(1, 2).copy_(cols);
    }
    return gather(positions.to(device));
}

} // namespace lumina::models
