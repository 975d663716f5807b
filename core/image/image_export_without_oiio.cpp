// writeImage/readImage when the build has no OpenImageIO (LUMINA_WITH_OIIO off): 8-bit PNG is written by the
// built-in encoder (png_codec.h) with the same text chunks and the same atomic write; other formats say they
// are unavailable. Settings can still be read back from PNG files, whose text chunks need no decoder.
#ifndef LUMINA_WITH_OIIO
#include "core/image/embedded_metadata.h"
#include "core/image/image_export.h"
#include "core/image/png_codec.h"
#include "core/util/errors.h"

#include <fstream>
#include <iterator>

namespace lumina::image {

void writeImage(const FloatImage& image, const std::filesystem::path& file, const ExportOptions& options,
                const nlohmann::json& metadata) {
    if (formatForPath(file) != ImageFormat::Png || options.pngBitDepth != 8)
        throw IoError("cannot write " + file.string() +
                      ": this build writes 8-bit PNG only (built without OpenImageIO)");
    if (image.empty() || image.pixels.size() != std::size_t(image.width) * image.height * 3)
        throw InvalidRequest("cannot write " + file.string() +
                             ": the image is empty or its pixel buffer does not match its size");
    if (!metadata.is_null() && !metadata.is_object())
        throw InvalidRequest("image metadata must be a JSON object");
    auto bytes = encodePng(toRgb8(image));
    const auto texts = pngTextChunks(options, metadata);
    if (!texts.empty()) bytes = insertPngText(bytes, texts);
    writeFileAtomically(file, bytes);
}

FloatImage readImage(const std::filesystem::path& file) {
    throw IoError("cannot read " + file.string() +
                  ": this build has no image decoder (built without OpenImageIO)");
}

std::vector<PngText> imageTextAttributes(const std::filesystem::path&) {
    return {};
}

std::optional<nlohmann::json> readImageSettings(const std::filesystem::path& file) {
    if (formatForPath(file) != ImageFormat::Png) return std::nullopt;
    std::ifstream in(file, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
        for (const auto& t : readPngText(bytes)) {
            if (t.keyword != kSettingsKey) continue;
            auto json = nlohmann::json::parse(t.text, nullptr, false);
            if (json.is_object()) return json;
        }
    } catch (const IoError&) {
    }
    return std::nullopt;
}

} // namespace lumina::image
#endif
