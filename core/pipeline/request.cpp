#include "core/pipeline/request.h"

#include "core/util/errors.h"
#include "core/util/utf8.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <string_view>

namespace lumina::pipeline {
namespace {

// Reads `key` from `j` into `out` when present; a wrong type names the key.
template <typename T> void readKey(const nlohmann::json& j, const char* key, T& out) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return;
    try {
        out = it->get<T>();
    } catch (const nlohmann::json::exception&) {
        throw InvalidRequest(fmt::format("settings key '{}' has the wrong type: {}", key, it->dump()));
    }
}

// Reads the enum choice under `key` through its parser (core/vocabulary/choices.h); the error names the key.
template <typename E>
void readChoice(const nlohmann::json& j, const char* key, E (*parse)(std::string_view, std::string_view),
                E& out) {
    std::string s;
    readKey(j, key, s);
    if (!s.empty()) out = parse(s, key);
}

} // namespace

const std::vector<std::string>& presetNames(ModelFamily family) {
    static const std::vector<std::string> kLuminaNext{"lumina", "diffusers"};
    static const std::vector<std::string> kLumina2{"lumina2-official", "diffusers"};
    return family == ModelFamily::Lumina2 ? kLumina2 : kLuminaNext;
}

bool isOfficialPreset(const std::string& preset) {
    return preset == "lumina" || preset == "lumina2-official";
}

SamplingSettings presetSettings(const std::string& preset, ModelFamily family) {
    const auto& names = presetNames(family);
    if (std::find(names.begin(), names.end(), preset) == names.end())
        throw InvalidRequest(fmt::format("preset must be {} for {} models, not '{}'", fmt::join(names, "|"),
                                         displayName(family), preset));
    SamplingSettings s;
    if (preset == "lumina") return s; // the defaults of SamplingSettings are the official demo recipe
    if (preset == "lumina2-official") {
        // sample.py with scripts/sample.sh: --solver midpoint --num_sampling_steps 18 (grid points)
        // --time_shifting_factor 6 --cfg_scale 4; forward_with_cfg's defaults renorm_cfg 1, cfg_trunc 100.
        s.sampler = Sampler::Midpoint;
        s.steps = 17;
        s.timeShift = 6.0;
        s.ropeScaling = RoPEScaling::None;
        s.cfgNormalization = CFGNormalization::Clip;
        return s;
    }
    // diffusers
    s.sampler = Sampler::DiffusersEuler;
    s.timeShift = 1.0;
    s.shiftFromSchedulerConfig = true; // the pipeline reads the checkpoint's scheduler shift
    s.watershed = 1.0;
    s.scaleBelowNative = true;
    if (family == ModelFamily::Lumina2) s.ropeScaling = RoPEScaling::None;
    return s;
}

nlohmann::json toJson(const GenerationRequest& r) {
    const auto& s = r.sampling;
    nlohmann::json j{{"prompt", r.prompt},
                     {"negative_prompt", r.negativePrompt},
                     {"preset", r.preset},
                     {"width", r.width},
                     {"height", r.height},
                     {"sampler", toString(s.sampler)},
                     {"schedule", toString(s.schedule)},
                     {"steps", s.steps},
                     {"guidance", s.guidanceScale},
                     {"time_shift", s.timeShift},
                     {"shift_from_scheduler", s.shiftFromSchedulerConfig},
                     {"rope_scaling", toString(s.ropeScaling)},
                     {"watershed", s.watershed},
                     {"scale_below_native", s.scaleBelowNative},
                     {"proportional_attention", s.proportionalAttention},
                     {"context_drop", s.contextDrop},
                     {"cfg_channels", toString(s.cfgChannels)},
                     {"sigmoid_kappa", s.sigmoidKappa},
                     {"diffusers_preprocess", r.diffusersPromptPreprocess},
                     {"full_preview_every", r.fullPreviewEveryNSteps},
                     {"vae_tiling", toString(r.vaeTiling)},
                     {"vae_tile", r.vaeTileSize}};
    j["seed"] = r.seed ? nlohmann::json(*r.seed) : nlohmann::json(nullptr);
    j["model_family"] = toString(r.family);
    // Lumina-Image 2.0 settings appear only for that family (Lumina-Next settings stay as they were).
    if (r.family == ModelFamily::Lumina2) {
        j["system_prompt"] = r.systemPrompt ? nlohmann::json(*r.systemPrompt) : nlohmann::json(nullptr);
        j["cfg_normalization"] = toString(s.cfgNormalization);
        j["cfg_trunc_ratio"] = s.cfgTruncRatio;
    }
    if (!r.loras.empty()) {
        auto loras = nlohmann::json::array();
        for (const auto& l : r.loras)
            loras.push_back({{"path", l.path}, {"scale", l.scale}});
        j["loras"] = loras;
    }
    // Text-to-image settings stay as they were before image-to-image existed: the keys appear only with an
    // init image.
    if (r.initImage.enabled()) {
        j["init_image"] = r.initImage.path;
        j["strength"] = r.initImage.strength;
        j["init_resize"] = toString(r.initImage.resize);
        if (r.initImage.galleryItem) j["init_gallery_item"] = *r.initImage.galleryItem;
    }
    return j;
}

GenerationRequest requestFromJson(const nlohmann::json& j) {
    if (!j.is_object()) throw InvalidRequest("settings must be a JSON object");
    GenerationRequest r;
    readChoice(j, "model_family", parseModelFamily, r.family);
    r.preset = defaultPreset(r.family);
    readKey(j, "preset", r.preset);
    r.sampling = presetSettings(r.preset, r.family);
    auto& s = r.sampling;
    if (auto it = j.find("system_prompt"); it != j.end() && !it->is_null()) {
        if (!it->is_string())
            throw InvalidRequest(
                fmt::format("settings key 'system_prompt' must be a string: {}", it->dump()));
        r.systemPrompt = it->get<std::string>();
    }
    readChoice(j, "cfg_normalization", parseCFGNormalization, s.cfgNormalization);
    readKey(j, "cfg_trunc_ratio", s.cfgTruncRatio);
    if (auto it = j.find("loras"); it != j.end() && !it->is_null()) {
        if (!it->is_array())
            throw InvalidRequest(fmt::format("settings key 'loras' must be a list: {}", it->dump()));
        for (const auto& l : *it) {
            if (!l.is_object() || !l.contains("path") || !l["path"].is_string())
                throw InvalidRequest(fmt::format(
                    "settings key 'loras' must hold objects with a 'path' string and a 'scale': {}",
                    l.dump()));
            LoraChoice choice{l["path"].get<std::string>(), 1.0};
            readKey(l, "scale", choice.scale);
            r.loras.push_back(choice);
        }
    }
    readKey(j, "prompt", r.prompt);
    readKey(j, "negative_prompt", r.negativePrompt);
    readKey(j, "width", r.width);
    readKey(j, "height", r.height);
    readChoice(j, "sampler", parseSampler, s.sampler);
    readChoice(j, "schedule", parseSchedule, s.schedule);
    readKey(j, "steps", s.steps);
    readKey(j, "guidance", s.guidanceScale);
    readKey(j, "time_shift", s.timeShift);
    readKey(j, "shift_from_scheduler", s.shiftFromSchedulerConfig);
    readChoice(j, "rope_scaling", parseRoPEScaling, s.ropeScaling);
    readKey(j, "watershed", s.watershed);
    readKey(j, "scale_below_native", s.scaleBelowNative);
    readKey(j, "proportional_attention", s.proportionalAttention);
    readKey(j, "context_drop", s.contextDrop);
    readChoice(j, "cfg_channels", parseCFGChannels, s.cfgChannels);
    readKey(j, "sigmoid_kappa", s.sigmoidKappa);
    // "device" and "dtype" in settings written before 2026-12 are load settings a generation never used;
    // they are read past (the result facts say where an image was made).
    readKey(j, "diffusers_preprocess", r.diffusersPromptPreprocess);
    readKey(j, "full_preview_every", r.fullPreviewEveryNSteps);
    readChoice(j, "vae_tiling", parseVAETiling, r.vaeTiling);
    readKey(j, "vae_tile", r.vaeTileSize);
    readKey(j, "init_image", r.initImage.path);
    readKey(j, "strength", r.initImage.strength);
    readChoice(j, "init_resize", parseInitResize, r.initImage.resize);
    if (auto it = j.find("init_gallery_item"); it != j.end() && !it->is_null()) {
        if (!it->is_number_integer())
            throw InvalidRequest(
                fmt::format("settings key 'init_gallery_item' must be an integer: {}", it->dump()));
        r.initImage.galleryItem = it->get<int64_t>();
    }
    if (auto it = j.find("seed"); it != j.end() && !it->is_null()) {
        if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<int64_t>() >= 0))
            throw InvalidRequest(
                fmt::format("settings key 'seed' must be a non-negative integer: {}", it->dump()));
        r.seed = it->get<uint64_t>();
    }
    return r;
}

int keptSteps(const GenerationRequest& r) {
    const int n = r.sampling.steps;
    if (!r.initImage.enabled()) return n;
    const double s = r.initImage.strength;
    if (!(s > 0.0 && s <= 1.0)) return 0;
    // Double arithmetic in the references' own order, so the truncation index matches theirs exactly.
    if (isOfficialPreset(r.preset)) {
        const auto dropped = static_cast<int>(static_cast<double>(n + 1) * (1.0 - s));
        return std::max(n - dropped, 0);
    }
    const double init = std::min(static_cast<double>(n) * s, static_cast<double>(n));
    const auto start = static_cast<int>(std::max(static_cast<double>(n) - init, 0.0));
    return std::max(n - start, 0);
}

int firstKeptStep(const GenerationRequest& r) {
    return r.sampling.steps - keptSteps(r);
}

void validateRequest(const GenerationRequest& r) {
    (void)presetSettings(r.preset, r.family); // the preset belongs to the family
    auto side = [](int v, const char* name) {
        if (v % 16 != 0 || v < 64 || v > 6144)
            throw InvalidRequest(
                fmt::format("{} must be a multiple of 16 from 64 to 6144 pixels, not {}", name, v));
    };
    side(r.width, "width");
    side(r.height, "height");
    const auto& s = r.sampling;
    if (s.steps < 1 || s.steps > 1000)
        throw InvalidRequest(fmt::format("steps must be 1 to 1000, not {}", s.steps));
    if (!std::isfinite(s.guidanceScale) || s.guidanceScale < 0)
        throw InvalidRequest(fmt::format("guidance must be a finite number >= 0, not {}", s.guidanceScale));
    if (!std::isfinite(s.timeShift) || s.timeShift <= 0)
        throw InvalidRequest(fmt::format("time shift must be a finite number > 0, not {}", s.timeShift));
    if (!std::isfinite(s.watershed) || s.watershed < 0 || s.watershed > 1)
        throw InvalidRequest(fmt::format("watershed must be between 0 and 1, not {}", s.watershed));
    if (!std::isfinite(s.sigmoidKappa) || s.sigmoidKappa <= 0)
        throw InvalidRequest(fmt::format("sigmoid kappa must be > 0, not {}", s.sigmoidKappa));
    if (s.sampler == Sampler::DiffusersEuler && s.schedule == Schedule::Sigmoid)
        throw InvalidRequest(
            "the sigmoid schedule works with the euler, midpoint and rk4 samplers, not diffusers-euler");
    if (!isValidUtf8(r.prompt)) throw InvalidRequest("the prompt is not valid UTF-8 text");
    if (!isValidUtf8(r.negativePrompt)) throw InvalidRequest("the negative prompt is not valid UTF-8 text");
    if (!std::isfinite(s.cfgTruncRatio) || s.cfgTruncRatio < 0 || s.cfgTruncRatio > 1)
        throw InvalidRequest(
            fmt::format("CFG truncation ratio must be between 0 and 1, not {}", s.cfgTruncRatio));
    if (r.systemPrompt && !isValidUtf8(*r.systemPrompt))
        throw InvalidRequest("the system prompt is not valid UTF-8 text");
    for (const auto& l : r.loras) {
        if (l.path.empty()) throw InvalidRequest("a LoRA needs a file path");
        if (!std::isfinite(l.scale) || std::abs(l.scale) > 100)
            throw InvalidRequest(fmt::format(
                "LoRA {}: the scale must be a finite number from -100 to 100, not {}", l.path, l.scale));
    }
    if (!r.loras.empty() && r.family != ModelFamily::Lumina2)
        throw InvalidRequest("LoRAs are supported for Lumina-Image 2.0 models only");
    if (r.fullPreviewEveryNSteps < 0) throw InvalidRequest("full preview interval must be >= 0");
    if (r.vaeTileSize != 0 && (r.vaeTileSize % 64 != 0 || r.vaeTileSize < 256 || r.vaeTileSize > 8192))
        throw InvalidRequest(fmt::format(
            "VAE tile size must be 0 (automatic) or a multiple of 64 from 256 to 8192 pixels, not {}",
            r.vaeTileSize));
    if (r.initImage.enabled()) {
        const double strength = r.initImage.strength;
        if (!std::isfinite(strength) || strength <= 0 || strength > 1)
            throw InvalidRequest(
                fmt::format("strength must be greater than 0 and at most 1, not {}", strength));
        if (keptSteps(r) < 1)
            throw InvalidRequest(fmt::format(
                "strength {} keeps none of the {} steps with the {} preset: raise the strength or the steps",
                strength, s.steps, r.preset));
    }
}

} // namespace lumina::pipeline
