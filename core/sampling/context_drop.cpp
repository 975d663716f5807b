// Context Drop policy (paper idea; docs/reference-notes.md, Not in any reference). Written from the
// description, not ported.
#include "core/sampling/context_drop.h"

#include "core/util/errors.h"

#include <cmath>
#include <fmt/format.h>

namespace lumina::sampling {

int64_t contextDropWindow(int64_t tokens, int64_t baseSequenceLength) {
    if (tokens <= 0 || baseSequenceLength <= 0)
        throw InvalidRequest(fmt::format("context drop needs positive token counts, got {} and base {}",
                                         tokens, baseSequenceLength));
    const auto w = static_cast<int64_t>(
        std::llround(std::sqrt(static_cast<double>(tokens) / static_cast<double>(baseSequenceLength))));
    return std::max<int64_t>(w, 1);
}

bool contextDropActive(const ContextDropSettings& settings, double t, int64_t tokens) {
    if (!settings.enabled || !(t >= settings.tStart && t < settings.tEnd)) return false;
    return contextDropWindow(tokens, settings.baseSequenceLength) > 1;
}

} // namespace lumina::sampling
