#pragma once
// Generation settings read back from an image's embedded text, whoever wrote it: ours (the `lumina:settings`
// JSON of every format we write), AUTOMATIC1111 (`parameters` text), ComfyUI (`prompt` API graph, or the
// `workflow` UI graph when there is no `prompt`) and SwarmUI (`sui_image_params` JSON in `parameters`).
// Restored settings use the keys of pipeline::toJson; everything the source says that has no counterpart here
// is listed, never dropped silently, and malformed or hostile text gives a problem sentence instead of a
// crash. References for the foreign formats: AUTOMATIC1111 modules/infotext_utils.py
// (parse_generation_parameters, re_param_code), ComfyUI server.py / nodes.py (SaveImage: `prompt` and
// `workflow` PNG text, KSampler, CLIPTextEncode, EmptyLatentImage inputs), SwarmUI
// src/Text2Image/T2IParamInput.cs (sui_image_params keys).
#include "core/image/png_codec.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace lumina::image {

struct SettingsReadback {
    std::string source = "none";                        // "lumina", "a1111", "comfyui", "swarmui" or "none"
    nlohmann::json settings = nlohmann::json::object(); // restored values under pipeline::toJson keys
    std::vector<std::string> unmapped; // "name: value" the source has that has no counterpart
    std::vector<std::string> problems; // malformed or ambiguous pieces, one sentence each
    bool recognized() const { return source != "none"; }
};

// The keys of pipeline::toJson, restored as they are from our own settings JSON (a test keeps the two in
// step: core/image cannot see core/pipeline's request).
const std::set<std::string>& luminaSettingsKeys();

// Texts longer than this (bytes) are refused as a problem rather than parsed.
inline constexpr std::size_t kMaxMetadataText = std::size_t{4} << 20;

// The parsers, one per source; each takes untrusted text and never throws (except std::bad_alloc).
SettingsReadback parseLuminaSettings(std::string_view json);
SettingsReadback parseA1111Parameters(std::string_view text);
SettingsReadback parseComfyUI(std::string_view promptJson, std::string_view workflowJson);
SettingsReadback parseSwarmUI(std::string_view json);

// Picks the source from the text fields of one image (keyword -> text, as readImageTextFields returns them):
// ours first, then SwarmUI, ComfyUI, A1111.
SettingsReadback readbackFromTexts(const std::vector<PngText>& fields);

// The metadata text fields of an image file: PNG tEXt/iTXt chunks as they are; for other formats (and our own
// key in any format) the attributes OpenImageIO reports (our settings, ImageDescription, Exif UserComment,
// `parameters`, `prompt`, `workflow`). Throws IoError when the file cannot be read.
std::vector<PngText> readImageTextFields(const std::filesystem::path& file);

// readbackFromTexts(readImageTextFields(file)). Throws IoError when the file cannot be read.
SettingsReadback readSettingsFromImage(const std::filesystem::path& file);

} // namespace lumina::image
