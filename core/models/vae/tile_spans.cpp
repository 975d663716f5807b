#include "core/models/vae/tile_spans.h"

#include "core/models/vae/vae_decode.h"

#include <algorithm>

namespace lumina::models::vae {

std::vector<Span> spans(int64_t length, int64_t tile, int64_t overlap, int64_t context, int64_t f) {
    const auto starts = tileStarts(length, tile, overlap);
    std::vector<Span> out;
    for (std::size_t i = 0; i < starts.size(); ++i) {
        Span s{};
        s.start = starts[i];
        s.len = std::min(tile, length - s.start);
        s.read0 = std::max<int64_t>(0, s.start - context);
        s.read1 = std::min(length, s.start + s.len + context);
        const int64_t prevEnd = i > 0 ? starts[i - 1] + tile : 0;
        const int64_t nextStart = i + 1 < starts.size() ? starts[i + 1] : length;
        s.own0 = i > 0 ? (s.start + prevEnd) / 2 : 0;
        s.own1 = i + 1 < starts.size() ? (nextStart + s.start + s.len) / 2 : length;
        s.rampIn = i > 0 ? (prevEnd - s.start) * f : 0;
        s.rampOut = i + 1 < starts.size() ? (s.start + s.len - nextStart) * f : 0;
        out.push_back(s);
    }
    return out;
}

} // namespace lumina::models::vae
