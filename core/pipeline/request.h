#pragma once
// What an artist asks for: one text-to-image generation. A plain value type shared by the CLI, the UI,
// the job queue and the gallery (serialized as JSON into the database and into image metadata).
#include "core/vocabulary/choices.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

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
    // Lumina-Image 2.0 only (docs/sampling.md, Lumina-Image 2.0): how the guided velocity is normalized, and
    // CFG truncation: step i of n runs the unconditional branch only while (i + 1) / n <= cfgTruncRatio
    // (1: every step guided; diffusers' cfg_trunc_ratio).
    CFGNormalization cfgNormalization = CFGNormalization::Rows;
    double cfgTruncRatio = 1.0;
};

// Image-to-image (docs/img2img.md): the run starts part-way along the schedule from an existing picture mixed
// with noise instead of from pure noise.
struct InitImageSettings {
    std::string path; // any image OpenImageIO reads (PNG without it); empty: text-to-image
    // Share of the schedule that runs, in (0, 1]: 1 starts from pure noise (the image only feeds the seeded
    // draws), small values stay close to the picture. 0.6 is the official sample_img2img.py default.
    double strength = 0.6;
    InitResize resize = InitResize::Fit;
    // The gallery item the picture comes from (the studio's Refine), so the result can link back to it.
    std::optional<int64_t> galleryItem;
    bool enabled() const { return !path.empty(); }
};

// Refine's default strength (docs/img2img.md, "Refine"): with the lumina preset's time shift 4 the run starts
// at model time 0.27 and runs 12 of 30 steps, enough to redraw detail at the new size while the layout and
// colours the artist picked survive.
inline constexpr double kRefineStrength = 0.4;

// A LoRA applied to the transformer for one run (docs/lumina2.md, LoRA): the file and its weight.
struct LoraChoice {
    std::string path;
    double scale = 1.0;
    bool operator==(const LoraChoice&) const = default;
};

struct GenerationRequest {
    // The model family these settings are for; the pipeline refuses a request made for the other family.
    ModelFamily family = ModelFamily::LuminaNext;
    std::string prompt;
    std::string negativePrompt;
    // A preset of presetNames(family): "lumina" (official Lumina-T2X demo), "lumina2-official" (official
    // Lumina-Image 2.0 sample.py) or "diffusers" (LuminaPipeline / Lumina2Pipeline defaults).
    std::string preset = "lumina";
    // Lumina-Image 2.0: the system prompt put before the prompt (lumina2_prompt.h); nullopt: the default.
    std::optional<std::string> systemPrompt;
    std::vector<LoraChoice> loras; // Lumina-Image 2.0: applied in order, each with its scale
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
    InitImageSettings initImage;
};

// The preset's settings: "diffusers" = 30 diffusers-Euler steps, guidance 4, time-aware RoPE with
// watershed 1.0 applied at every size, proportional attention (timeShift = scheduler config shift, filled in
// by the pipeline); "lumina" = midpoint, 30 steps, time shift 4, time-aware with watershed 0.3 for
// extrapolated sizes only.
// Lumina-Image 2.0: "diffusers" = Lumina2Pipeline's defaults (30 diffusers-Euler steps from its sigma list,
// guidance 4, the scheduler config's shift, cfg normalization "rows", no truncation); "lumina2-official" =
// the official sample.sh (midpoint on the official grid of 18 points = 17 intervals, time shift 6, guidance
// 4, the renorm_cfg 1 clip, no truncation). Throws InvalidRequest for a preset the family does not have.
SamplingSettings presetSettings(const std::string& preset, ModelFamily family = ModelFamily::LuminaNext);

// The presets of a family, the default first.
const std::vector<std::string>& presetNames(ModelFamily family);
inline std::string defaultPreset(ModelFamily family) {
    return presetNames(family).front();
}
// The presets that follow an official sampler (the grid solvers and their image-to-image rule) rather than a
// diffusers pipeline.
bool isOfficialPreset(const std::string& preset);

// Image-to-image: how many of the request's `steps` intervals run, by the preset's rule (docs/img2img.md).
// diffusers (StableDiffusion3Img2ImgPipeline.get_timesteps): N - int(N - N*s) of the N-step schedule;
// lumina (Lumina-T2X sample_img2img.py, ODE(strength)): the official grid of N + 1 points loses its first
// int((N + 1) * (1 - s)) points. `steps` for text-to-image. 0 means the strength keeps no step.
int keptSteps(const GenerationRequest& request);
// Index of the first kept schedule point (sigma for diffusers, grid time for lumina): steps - keptSteps.
int firstKeptStep(const GenerationRequest& request);

nlohmann::json toJson(const GenerationRequest& request);
// Missing keys take defaults; wrong types or unknown enum names throw InvalidRequest naming the key.
GenerationRequest requestFromJson(const nlohmann::json& json);

// Checks everything that can be checked before any model work: the preset belongs to the family; sizes
// (multiples of 16, 64..6144: the RoPE
// table covers 384 tokens a side; 1024 is native, 256..4096 the useful range), steps
// (1..1000), finite guidance >= 0, time shift > 0, watershed in [0,1], valid UTF-8 prompt, strength in (0, 1]
// keeping at least one step (keptSteps); Lumina 2: CFG truncation ratio in [0, 1], system prompt UTF-8, LoRA
// scales finite. Throws InvalidRequest.
void validateRequest(const GenerationRequest& request);

} // namespace lumina::pipeline
