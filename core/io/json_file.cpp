#include "core/io/json_file.h"

#include "core/util/errors.h"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

namespace lumina::io {

nlohmann::json readJsonObject(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_symlink(path, ec) && !std::filesystem::exists(path, ec))
        throw ModelLoadError(fmt::format("{}: broken symbolic link", path.string()));
    if (!std::filesystem::exists(path, ec))
        throw ModelLoadError(fmt::format("{}: file is missing", path.string()));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ModelLoadError(fmt::format("{}: cannot read: {}", path.string(), std::strerror(errno)));
    std::stringstream buffer;
    buffer << in.rdbuf();
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(buffer.str());
    } catch (const nlohmann::json::exception& e) {
        throw ModelLoadError(fmt::format("{}: invalid JSON ({})", path.string(), e.what()));
    }
    if (!j.is_object()) throw ModelLoadError(fmt::format("{}: expected a JSON object", path.string()));
    return j;
}

JsonConfig::JsonConfig(nlohmann::json object, std::filesystem::path path)
    : m_json(std::move(object))
    , m_path(std::move(path)) {}

void JsonConfig::fail(const std::string& key, const std::string& expected) const {
    auto it = m_json.find(key);
    const std::string found = it == m_json.end() ? "it is missing" : "found " + it->dump();
    throw ModelLoadError(
        fmt::format("{}: key '{}' must be {}, but {}", m_path.string(), key, expected, found));
}

const nlohmann::json& JsonConfig::require(const std::string& key) const {
    auto it = m_json.find(key);
    if (it == m_json.end()) fail(key, "present");
    return *it;
}

bool JsonConfig::has(const std::string& key) const {
    return m_json.contains(key);
}
bool JsonConfig::isNull(const std::string& key) const {
    return !m_json.contains(key) || m_json.at(key).is_null();
}

int64_t JsonConfig::getInt(const std::string& key) const {
    const auto& v = require(key);
    if (!v.is_number_integer()) fail(key, "an integer");
    return v.get<int64_t>();
}
int64_t JsonConfig::getInt(const std::string& key, int64_t fallback) const {
    return isNull(key) ? fallback : getInt(key);
}
double JsonConfig::getDouble(const std::string& key) const {
    const auto& v = require(key);
    if (!v.is_number()) fail(key, "a number");
    return v.get<double>();
}
double JsonConfig::getDouble(const std::string& key, double fallback) const {
    return isNull(key) ? fallback : getDouble(key);
}
std::optional<double> JsonConfig::getOptionalDouble(const std::string& key) const {
    if (isNull(key)) return std::nullopt;
    return getDouble(key);
}
bool JsonConfig::getBool(const std::string& key, bool fallback) const {
    if (isNull(key)) return fallback;
    const auto& v = m_json.at(key);
    if (!v.is_boolean()) fail(key, "true or false");
    return v.get<bool>();
}
std::string JsonConfig::getString(const std::string& key) const {
    const auto& v = require(key);
    if (!v.is_string()) fail(key, "a string");
    return v.get<std::string>();
}
std::string JsonConfig::getString(const std::string& key, const std::string& fallback) const {
    return isNull(key) ? fallback : getString(key);
}
std::optional<std::string> JsonConfig::getOptionalString(const std::string& key) const {
    if (isNull(key)) return std::nullopt;
    return getString(key);
}
std::vector<int64_t> JsonConfig::getIntList(const std::string& key) const {
    const auto& v = require(key);
    if (!v.is_array()) fail(key, "a list of integers");
    std::vector<int64_t> out;
    for (const auto& e : v) {
        if (!e.is_number_integer()) fail(key, "a list of integers");
        out.push_back(e.get<int64_t>());
    }
    return out;
}
std::vector<std::string> JsonConfig::getStringList(const std::string& key) const {
    const auto& v = require(key);
    if (!v.is_array()) fail(key, "a list of strings");
    std::vector<std::string> out;
    for (const auto& e : v) {
        if (!e.is_string()) fail(key, "a list of strings");
        out.push_back(e.get<std::string>());
    }
    return out;
}

} // namespace lumina::io
