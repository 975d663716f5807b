#pragma once
// Reading JSON files (config.json, model_index.json, index files) with errors that name the file and key.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lumina::io {

// Reads and parses a JSON object. Throws ModelLoadError: missing, unreadable, invalid, not an object.
nlohmann::json readJsonObject(const std::filesystem::path& path);

// Typed access to one config file; every error names the file, the key and what was expected.
class JsonConfig {
public:
    JsonConfig(nlohmann::json object, std::filesystem::path path);
    static JsonConfig load(const std::filesystem::path& path) { return {readJsonObject(path), path}; }

    bool has(const std::string& key) const;
    bool isNull(const std::string& key) const; // missing or null
    int64_t getInt(const std::string& key) const;
    int64_t getInt(const std::string& key, int64_t fallback) const;
    double getDouble(const std::string& key) const;
    double getDouble(const std::string& key, double fallback) const;
    bool getBool(const std::string& key, bool fallback) const;
    std::string getString(const std::string& key) const;
    std::string getString(const std::string& key, const std::string& fallback) const;
    std::optional<std::string> getOptionalString(const std::string& key) const;
    std::optional<double> getOptionalDouble(const std::string& key) const;
    std::vector<int64_t> getIntList(const std::string& key) const;
    std::vector<std::string> getStringList(const std::string& key) const;

    const nlohmann::json& json() const { return m_json; }
    const std::filesystem::path& path() const { return m_path; }
    [[noreturn]] void fail(const std::string& key, const std::string& expected) const;

private:
    const nlohmann::json& require(const std::string& key) const;
    nlohmann::json m_json;
    std::filesystem::path m_path;
};

} // namespace lumina::io
