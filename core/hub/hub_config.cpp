#include "core/hub/hub_config.h"
#include "core/util/app_paths.h"

#include "core/hub/url.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace lumina::hub {
namespace fs = std::filesystem;

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

std::string trim(std::string s) {
    const auto notSpace = [](unsigned char c) { return !std::isspace(c); };
    s.erase(s.begin(), std::find_if(s.begin(), s.end(), notSpace));
    s.erase(std::find_if(s.rbegin(), s.rend(), notSpace).base(), s.end());
    return s;
}

int envInt(const char* name, int fallback, int lo, int hi) {
    const std::string v = env(name);
    if (v.empty()) return fallback;
    try {
        return std::clamp(std::stoi(v), lo, hi);
    } catch (const std::exception&) {
        return fallback;
    }
}

fs::path hfHome() {
    if (auto v = env("HF_HOME"); !v.empty()) return v;
    if (auto v = env("XDG_CACHE_HOME"); !v.empty()) return fs::path(v) / "huggingface";
    if (auto v = env("HOME"); !v.empty()) return fs::path(v) / ".cache" / "huggingface";
    return fs::path(".cache") / "huggingface";
}

std::string readToken() {
    // huggingface_hub/utils/_auth.py get_token(): HF_TOKEN, then HUGGING_FACE_HUB_TOKEN, then the token file.
    if (auto v = trim(env("HF_TOKEN")); !v.empty()) return v;
    if (auto v = trim(env("HUGGING_FACE_HUB_TOKEN")); !v.empty()) return v;
    fs::path file = env("HF_TOKEN_PATH");
    if (file.empty()) file = hfHome() / "token";
    std::ifstream in(file);
    std::string token;
    if (in) std::getline(in, token);
    return trim(token);
}

} // namespace

bool envFlag(const char* name) {
    std::string v = env(name);
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::toupper(c); });
    return v == "1" || v == "ON" || v == "YES" || v == "TRUE";
}

HubConfig HubConfig::fromEnvironment() {
    HubConfig c;
    if (auto e = trim(env("HF_ENDPOINT")); !e.empty()) {
        while (!e.empty() && e.back() == '/')
            e.pop_back();
        c.endpoint = e;
    }
    c.token = readToken();
    c.offline = envFlag("HF_HUB_OFFLINE");
    c.cacheDir = lumina::huggingFaceHubCache();
    c.stallSeconds = envInt("LUMINA_HUB_STALL_SECONDS", c.stallSeconds, 1, 3600);
    c.maxAttempts = envInt("LUMINA_HUB_ATTEMPTS", c.maxAttempts, 1, 100);
    c.backoffMs = envInt("LUMINA_HUB_BACKOFF_MS", c.backoffMs, 0, 60000);
    c.connections = envInt("LUMINA_HUB_CONNECTIONS", c.connections, 1, 64);
    c.minPartBytes = static_cast<uint64_t>(envInt("LUMINA_HUB_MIN_PART_KB",
                                                  static_cast<int>(c.minPartBytes >> 10), 16, 1 << 22))
                     << 10;
    return c;
}

std::string HubConfig::endpointOrigin() const {
    return urlOrigin(endpoint);
}

} // namespace lumina::hub
