#pragma once
// What an artist asks for: one text-to-image generation. A plain value type shared by the CLI, the UI,
// the job queue and the gallery (serialized as JSON into the database and into image metadata).
#include "core/vocabulary/choices.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace lumina::pipeline {

// Settings a preset fills in; every field the user set explicitly overrides the preset.
struct SamplingSettings {
    Sampler sampler = Sampler::Midpoint;
    Schedule schedule = Schedule::Uniform;
    int steps = 30;
    double guidanceScale = 4.0;
    double timeShift = 4.0;
    // Take the time shift from the checkpoint's scheduler_config.json (the diffusers preset) instead of
    // timeShift.
    bool shiftFromSchedulerConfig = false;
    RoPEScaling ropeScaling = RoPEScaling::TimeAware;
    double watershed = 0.3;
    // Apply RoPE scaling below the native size too (diffusers does; the official demo only extrapolates).
    bool scaleBelowNative = false;
    bool proportionalAttention = true;
    bool contextDrop = false;
    CFGChannels cfgChannels = CFGChannels::Reference3;
    double sigmoidKappa = 6.0;
};

struct GenerationRequest {
    std::string prompt;
    std::string negativePrompt;
    std::string preset = "lumina"; // "lumina" (official demo recipe) or "diffusers" (LuminaPipeline defaults)
    int width = 1024;
    int height = 1024;
    std::optional<uint64_t> seed; // nullopt: random; the seed actually used is recorded in the result
    SamplingSettings sampling;
    // No device or precision here: they are model-load settings (engine::ModelLoadOptions); a generation runs
    // where the model was loaded, and the result records that device and precision.
    // Reproduce LuminaPipeline's prompt lower()+strip() (parity runs only; artists' text is kept as typed).
    bool diffusersPromptPreprocess = false;
    int fullPreviewEveryNSteps = 0; // 0: projection previews only
    // VAE decode: Auto tiles when the untiled decode would not fit in memory (or ran out of it).
    VAETiling vaeTiling = VAETiling::Auto;
    int vaeTileSize = 0; // tile edge in image pixels, a multiple of 64 from 256 to 8192; 0: from free memory
};

// The preset's settings: "diffusers" = 30 diffusers-Euler steps, guidance 4, time-aware RoPE with
// watershed 1.0 applied at every size, proportional attention (timeShift = scheduler config shift, filled in
// by the pipeline); "lumina" = midpoint, 30 steps, time shift 4, time-aware with watershed 0.3 for
// extrapolated sizes only.
SamplingSettings presetSettings(const std::string& preset);

nlohmann::json toJson(const GenerationRequest& request);
// Missing keys take defaults; wrong types or unknown enum names throw InvalidRequest naming the key.
GenerationRequest requestFromJson(const nlohmann::json& json);

// Checks everything that can be checked before any model work: sizes (multiples of 16, 64..6144: the RoPE
// table covers 384 tokens a side; 1024 is native, 256..4096 the useful range), steps
// (1..1000), finite guidance >= 0, time shift > 0, watershed in [0,1], valid UTF-8 prompt. Throws
// InvalidRequest.
void validateRequest(const GenerationRequest& request);

} // namespace lumina::pipeline
