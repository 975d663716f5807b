// Preset values from diffusers LuminaPipeline.__call__ defaults and the official Lumina-T2X demo settings
// (spec §4.5, §4.6 "Default settings in the official code", §8.3).
#include "core/sampling/presets.h"

#include "core/sampling/flow_match_schedule.h"
#include "core/util/errors.h"

#include <fmt/format.h>

namespace lumina::sampling {

std::vector<std::string> presetNames() {
    return {"diffusers", "lumina"};
}

SamplingPreset presetSettings(std::string_view name, const FlowMatchEulerConfig& scheduler) {
    SamplingPreset p;
    p.name = std::string(name);
    if (name == "diffusers") {
        p.sampler = Sampler::FlowMatchEuler;
        p.steps = 30;
        p.guidanceScale = 4.0;
        p.shift = scheduler.shift;
        p.rope = {RopeScalingMode::TimeAware, 1.0, /*applyBelowNative=*/true, kNativeImageSize};
        p.proportionalAttention = true;
        return p;
    }
    if (name == "lumina") {
        p.sampler = Sampler::Midpoint;
        p.steps = 29; // the demo's M = 30 grid points
        p.guidanceScale = 4.0;
        p.shift = 4.0;
        p.rope = {RopeScalingMode::TimeAware, 0.3, /*applyBelowNative=*/false, kNativeImageSize};
        p.proportionalAttention = true;
        return p;
    }
    throw InvalidRequest(fmt::format("unknown sampling preset '{}': expected diffusers or lumina", name));
}

} // namespace lumina::sampling
