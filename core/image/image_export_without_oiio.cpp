// writeImage/readImage when the build has no OpenImageIO (LUMINA_WITH_OIIO off): exports are unavailable
// and say so; settings can still be read back from PNG files, whose text chunks need no decoder.
#ifndef LUMINA_WITH_OIIO
#include "core/image/embedded_metadata.h"
#include "core/image/image_export.h"
#include "core/image/png_codec.h"
#include "core/util/errors.h"

#include <fstream>
#include <iterator>

namespace lumina::image {

void writeImage(const FloatImage&, const std::filesystem::path& file, const ExportOptions&,
                const nlohmann::json&) {
    throw IoError("cannot write " + file.string() +
                  ": this build has no image export (built without OpenImageIO)");
}

FloatImage readImage(const std::filesystem::path& file) {
    throw IoError("cannot read " + file.string() +
                  ": this build has no image decoder (built without OpenImageIO)");
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
