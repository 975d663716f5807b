#pragma once
// What exports embed, built once and placed per format by the writer (see docs/gallery-and-export.md):
// our settings JSON, an A1111-style `parameters` text that other tools read, an XMP packet with the IPTC
// AI-provenance mark, and an Exif block.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace lumina::image {

inline constexpr const char* kSettingsKey = "lumina:settings"; // attribute / text key of our JSON everywhere
inline constexpr const char* kParametersKey = "parameters";    // A1111's PNG text key
inline constexpr const char* kDigitalSourceTypeKey = "Iptc4xmpExt:DigitalSourceType";
inline constexpr const char* kTrainedAlgorithmicMedia =
    "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";
inline constexpr const char* kLuminaXmpNamespace = "https://github.com/lumina-studio/ns/1.0/";

// A1111's text: prompt, "Negative prompt: ..." (when not empty), then "Steps: 30, Sampler: midpoint, CFG
// scale: 4, Seed: 42, Size: 1024x1024, Model: ..." from the keys of pipeline::toJson plus "model"; missing
// keys are left out.
std::string a1111Parameters(const nlohmann::json& settings);

// Compact JSON with every non-ASCII character escaped as \uXXXX: survives ASCII-only fields (Exif, TIFF
// tags).
std::string asciiJson(const nlohmann::json& settings);

struct XmpContent {
    std::string settingsJson; // empty: not written
    std::string parameters;   // empty: not written
    bool aiProvenance = true; // Iptc4xmpExt:DigitalSourceType = trainedAlgorithmicMedia
    std::string creatorTool;  // xmp:CreatorTool, empty: not written
};

// A complete XMP packet (<?xpacket ...?> wrapper, UTF-8); empty when there is nothing to say.
std::string xmpPacket(const XmpContent& content);

// A big-endian TIFF structure for Exif (without the "Exif\0\0" prefix): IFD0 ImageDescription and Software
// (ASCII), Exif IFD with UserComment in the "UNICODE" (UTF-16BE) encoding that A1111 reads. Empty strings are
// left out; returns an empty vector when all are empty.
std::vector<uint8_t> exifBlock(std::string_view imageDescriptionAscii, std::string_view software,
                               std::string_view userCommentUtf8);

} // namespace lumina::image
