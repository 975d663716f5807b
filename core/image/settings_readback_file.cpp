// The file side of the settings read-back: which text fields an image carries (settings_readback.h). Kept
// apart from the parsers so that the fuzz build links the parsers alone.
#include "core/image/embedded_metadata.h"
#include "core/image/image_export.h"
#include "core/image/settings_readback.h"
#include "core/util/errors.h"

#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <iterator>

namespace lumina::image {

std::vector<PngText> readImageTextFields(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw IoError(fmt::format("cannot read {}: the file cannot be opened", file.string()));
    std::vector<PngText> fields;
    static constexpr uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    uint8_t head[8] = {};
    in.read(reinterpret_cast<char*>(head), 8);
    if (in.gcount() == 8 && std::equal(head, head + 8, kPngSignature)) {
        in.seekg(0);
        const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                         std::istreambuf_iterator<char>());
        try {
            return readPngText(bytes);
        } catch (const IoError& e) { // a broken stream: say which file
            throw IoError(fmt::format("cannot read {}: {}", file.string(), e.what()));
        }
    }
    if (in.gcount() == 0) throw IoError(fmt::format("cannot read {}: the file is empty", file.string()));
    if (auto ours = readImageSettings(file)) fields.push_back({kSettingsKey, ours->dump()});
    for (auto& f : imageTextAttributes(file))
        fields.push_back(std::move(f));
    return fields;
}

SettingsReadback readSettingsFromImage(const std::filesystem::path& file) {
    return readbackFromTexts(readImageTextFields(file));
}

} // namespace lumina::image
