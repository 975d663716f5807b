// diffusers src/diffusers/pipelines/lumina2/pipeline_lumina2.py, Lumina2Pipeline.__call__ (cfg_trunc_ratio).
#include "core/sampling/cfg_truncation.h"

#include "core/util/errors.h"

#include <fmt/format.h>

namespace lumina::sampling {

bool lumina2StepGuided(int64_t step, int64_t steps, double scale, double cfgTruncRatio) {
    if (steps < 1) throw InvalidRequest(fmt::format("sampling steps must be at least 1, got {}", steps));
    if (step < 0 || step >= steps)
        throw InvalidRequest(fmt::format("step {} is outside 0..{}", step, steps - 1));
    const bool truncated = static_cast<double>(step + 1) / static_cast<double>(steps) > cfgTruncRatio;
    return guidanceEnabled(scale) && !truncated;
}

CfgTruncationPlan lumina2CfgTruncationPlan(int64_t steps, double scale, double cfgTruncRatio) {
    if (steps < 1) throw InvalidRequest(fmt::format("sampling steps must be at least 1, got {}", steps));
    CfgTruncationPlan plan;
    plan.guided.reserve(static_cast<std::size_t>(steps));
    for (int64_t i = 0; i < steps; ++i) {
        const bool guided = lumina2StepGuided(i, steps, scale, cfgTruncRatio);
        plan.guided.push_back(guided);
        plan.guidedSteps += guided ? 1 : 0;
    }
    plan.evaluations = steps + plan.guidedSteps;
    plan.savedEvaluations = (guidanceEnabled(scale) ? steps : 0) - plan.guidedSteps;
    return plan;
}

} // namespace lumina::sampling
