// libFuzzer target for the settings read-back parsers (core/image/settings_readback.h): A1111 `parameters`,
// ComfyUI `prompt`/`workflow`, SwarmUI and our own JSON. Any input must come back as a SettingsReadback whose
// restored settings serialize; a crash, a hang, an exception or a sanitizer report is a bug.
#include "core/image/settings_readback.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {
void check(const lumina::image::SettingsReadback& r) {
    (void)r.settings.dump(); // throws on invalid UTF-8: restored text must be valid
    if (!r.settings.is_object()) std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        check(lumina::image::parseA1111Parameters(text));
        check(lumina::image::parseComfyUI(text, ""));
        check(lumina::image::parseComfyUI("", text));
        check(lumina::image::parseSwarmUI(text));
        check(lumina::image::parseLuminaSettings(text));
        check(lumina::image::readbackFromTexts(
            {{"parameters", std::string(text)}, {"prompt", std::string(text)}}));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "unexpected exception: %s\n", e.what());
        std::abort();
    }
    return 0;
}
