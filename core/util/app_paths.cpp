#include "core/util/app_paths.h"

#include <cstdlib>

namespace lumina {
namespace {
std::filesystem::path envPath(const char* name) {
    const char* v = std::getenv(name);
    return (v && *v) ? std::filesystem::path(v) : std::filesystem::path();
}
} // namespace

std::filesystem::path appDataDirectory() {
    if (auto p = envPath("LUMINA_DATA_DIR"); !p.empty()) return p;
#if defined(_WIN32)
    if (auto p = envPath("APPDATA"); !p.empty()) return p / "Lumina Studio";
#elif defined(__APPLE__)
    if (auto p = envPath("HOME"); !p.empty()) return p / "Library/Application Support/Lumina Studio";
#else
    if (auto p = envPath("XDG_DATA_HOME"); !p.empty()) return p / "lumina-studio";
    if (auto p = envPath("HOME"); !p.empty()) return p / ".local/share/lumina-studio";
#endif
    return std::filesystem::temp_directory_path() / "lumina-studio";
}

std::filesystem::path logDirectory() {
    return appDataDirectory() / "logs";
}

std::filesystem::path huggingFaceHubCache() {
    if (auto p = envPath("HF_HUB_CACHE"); !p.empty()) return p;
    if (auto p = envPath("HUGGINGFACE_HUB_CACHE"); !p.empty()) return p;
    if (auto p = envPath("HF_HOME"); !p.empty()) return p / "hub";
    if (auto p = envPath("XDG_CACHE_HOME"); !p.empty()) return p / "huggingface" / "hub";
    if (auto p = envPath("HOME"); !p.empty()) return p / ".cache" / "huggingface" / "hub";
    return std::filesystem::path(".cache") / "huggingface" / "hub";
}

std::string hubRepoFolderName(const std::string& repoId) {
    std::string name = "models--" + repoId;
    std::string::size_type pos;
    while ((pos = name.find('/')) != std::string::npos)
        name.replace(pos, 1, "--");
    return name;
}

} // namespace lumina
