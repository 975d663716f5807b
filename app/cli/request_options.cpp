#include "app/cli/request_options.h"

#include "core/io/json_file.h"
#include "core/util/errors.h"

#include <fmt/format.h>
#include <limits>

namespace lumina::cli {

std::set<std::string> requestValueOptions() {
    return {"prompt",       "negative",      "preset",       "width",         "height",
            "steps",        "guidance",      "seed",         "sampler",       "schedule",
            "time-shift",   "sigmoid-kappa", "rope-scaling", "watershed",     "proportional-attention",
            "context-drop", "cfg-channels",  "device",       "dtype",         "diffusers-preprocess",
            "vae-tiling",   "vae-tile",      "init-image",   "strength",      "resize",
            "settings",     "memory-limit",  "attention",    "system-prompt", "cfg-normalization",
            "cfg-trunc"};
}

std::set<std::string> requestRepeatedOptions() {
    return {"lora"};
}

pipeline::LoraChoice parseLoraArgument(const std::string& text) {
    pipeline::LoraChoice lora{text, 1.0};
    if (const auto colon = text.rfind(':'); colon != std::string::npos && colon > 0) {
        const std::string scale = text.substr(colon + 1);
        try {
            std::size_t used = 0;
            const double value = std::stod(scale, &used);
            if (used == scale.size() && !scale.empty()) {
                lora.path = text.substr(0, colon);
                lora.scale = value;
            }
        } catch (const std::exception&) {
            // not a number: the colon belongs to the path
        }
    }
    if (lora.path.empty()) throw UsageError(fmt::format("--lora '{}': expected FILE or FILE:SCALE", text));
    return lora;
}

namespace {
bool onOff(const Arguments& a, const std::string& name, bool fallback) {
    return a.choice(name, {"on", "off"}, fallback ? "on" : "off") == "on";
}
// The value of --name through its parser in core/vocabulary/choices.h, or `fallback` when the flag is absent.
template <typename E>
E parsed(const Arguments& a, const std::string& name, E (*parse)(std::string_view, std::string_view),
         E fallback) {
    auto v = a.value(name);
    if (!v) return fallback;
    try {
        return parse(*v, name);
    } catch (const InvalidRequest& e) {
        throw UsageError(fmt::format("--{}: {}", name, e.what()));
    }
}
int intInRange(const Arguments& a, const std::string& name, int fallback) {
    const auto v = a.intValue(name, fallback);
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
        throw UsageError(fmt::format("--{} is out of range: {}", name, v));
    return static_cast<int>(v);
}
} // namespace

pipeline::GenerationRequest requestFromArguments(const Arguments& a, ModelFamily family) {
    pipeline::GenerationRequest r;
    r.family = family;
    const auto& presets = pipeline::presetNames(family);
    const auto settingsFile = a.value("settings");
    if (settingsFile) {
        // A settings JSON (a gallery item's, `inspect --json`'s "settings", image metadata): the base that
        // every explicit flag overrides.
        nlohmann::json settings;
        try {
            settings = io::readJsonObject(*settingsFile);
        } catch (const Error& e) {
            throw UsageError(fmt::format("--settings: {}", e.what()));
        }
        if (settings.contains("settings") && settings["settings"].is_object())
            settings = settings["settings"];
        try {
            r = pipeline::requestFromJson(settings);
        } catch (const InvalidRequest& e) {
            throw UsageError(fmt::format("--settings {}: {}", *settingsFile, e.what()));
        }
        if (r.family != family)
            throw UsageError(
                fmt::format("--settings {}: these settings are for {} models, but the model is a {} "
                            "model",
                            *settingsFile, displayName(r.family), displayName(family)));
        if (a.has("preset")) {
            r.preset = a.choice("preset", presets, r.preset);
            r.sampling = pipeline::presetSettings(r.preset, family);
        }
        r.prompt = a.valueOr("prompt", r.prompt);
        r.negativePrompt = a.valueOr("negative", r.negativePrompt);
    } else {
        r.prompt = a.required("prompt");
        r.negativePrompt = a.valueOr("negative", "");
        r.preset = a.choice("preset", presets, pipeline::defaultPreset(family));
        r.sampling = pipeline::presetSettings(r.preset, family);
        // The diffusers preset reproduces LuminaPipeline, which lower()s and strip()s the prompt
        // (Lumina2Pipeline keeps it as typed).
        r.diffusersPromptPreprocess = r.preset == "diffusers" && family == ModelFamily::LuminaNext;
    }
    auto& s = r.sampling;
    r.width = intInRange(a, "width", r.width);
    r.height = intInRange(a, "height", r.height);
    s.steps = intInRange(a, "steps", s.steps);
    s.guidanceScale = a.doubleValue("guidance", s.guidanceScale);
    if (a.value("seed") == std::optional<std::string>("random")) r.seed.reset();
    if (auto seed = a.value("seed"); seed && *seed != "random") {
        try {
            std::size_t used = 0;
            if (seed->empty() || (*seed)[0] == '-') throw std::invalid_argument("negative");
            r.seed = std::stoull(*seed, &used);
            if (used != seed->size()) throw std::invalid_argument("trailing");
        } catch (const std::exception&) {
            throw UsageError(
                fmt::format("--seed must be a non-negative integer or 'random', not '{}'", *seed));
        }
    }
    s.sampler = parsed(a, "sampler", parseSampler, s.sampler);
    s.schedule = parsed(a, "schedule", parseSchedule, s.schedule);
    if (a.has("time-shift")) {
        s.timeShift = a.doubleValue("time-shift", s.timeShift);
        s.shiftFromSchedulerConfig = false;
    }
    s.sigmoidKappa = a.doubleValue("sigmoid-kappa", s.sigmoidKappa);
    s.ropeScaling = parsed(a, "rope-scaling", parseRoPEScaling, s.ropeScaling);
    s.watershed = a.doubleValue("watershed", s.watershed);
    s.proportionalAttention = onOff(a, "proportional-attention", s.proportionalAttention);
    s.contextDrop = onOff(a, "context-drop", s.contextDrop);
    s.cfgChannels = parsed(a, "cfg-channels", parseCFGChannels, s.cfgChannels);
    r.vaeTiling = parsed(a, "vae-tiling", parseVAETiling, r.vaeTiling);
    r.vaeTileSize = intInRange(a, "vae-tile", r.vaeTileSize);
    if (auto init = a.value("init-image")) r.initImage.path = *init;
    if (!r.initImage.enabled() && (a.has("strength") || a.has("resize")))
        throw UsageError("--strength and --resize belong to image-to-image: give --init-image FILE too");
    r.initImage.strength = a.doubleValue("strength", r.initImage.strength);
    r.initImage.resize = parsed(a, "resize", parseInitResize, r.initImage.resize);
    r.diffusersPromptPreprocess = onOff(a, "diffusers-preprocess", r.diffusersPromptPreprocess);
    // Lumina-Image 2.0 settings.
    const bool lumina2Option =
        a.has("system-prompt") || a.has("cfg-normalization") || a.has("cfg-trunc") || a.has("lora");
    if (lumina2Option && family != ModelFamily::Lumina2)
        throw UsageError(fmt::format("--system-prompt, --cfg-normalization, --cfg-trunc and --lora belong to "
                                     "Lumina-Image 2.0 models; this model is a {} model",
                                     displayName(family)));
    if (auto system = a.value("system-prompt")) r.systemPrompt = *system;
    s.cfgNormalization = parsed(a, "cfg-normalization", parseCFGNormalization, s.cfgNormalization);
    s.cfgTruncRatio = a.doubleValue("cfg-trunc", s.cfgTruncRatio);
    if (a.has("lora")) {
        r.loras.clear();
        for (const auto& text : a.values("lora"))
            r.loras.push_back(parseLoraArgument(text));
    }
    return r;
}

engine::ModelLoadOptions loadOptionsFromArguments(const Arguments& a) {
    engine::ModelLoadOptions o;
    o.device = parsed(a, "device", parseDeviceChoice, o.device);
    o.precision = parsed(a, "dtype", parsePrecision, o.precision);
    o.attention = parsed(a, "attention", parseAttentionBackend, o.attention);
    if (a.value("memory-limit")) {
        const double gib = a.doubleValue("memory-limit", 0);
        if (!(gib > 0) || gib > 1e6)
            throw UsageError(fmt::format("--memory-limit: expected a positive size in GiB, got {}",
                                         *a.value("memory-limit")));
        o.memoryLimitBytes = static_cast<uint64_t>(gib * double(uint64_t{1} << 30));
    }
    return o;
}

} // namespace lumina::cli
