#pragma once
// Test-only safetensors writer: builds files byte by byte so tests can make valid files for every
// dtype and precisely broken ones (raw header text, lying lengths, truncated data).
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lumina::test {

struct RawTensor {
    std::string name;
    std::string dtype; // safetensors name, written as is (may be invalid on purpose)
    std::vector<int64_t> shape;
    std::vector<uint8_t> bytes;
};

// Header bytes (8-byte little-endian length + text) followed by `data`.
inline std::vector<uint8_t> rawFile(const std::string& headerText, const std::vector<uint8_t>& data,
                                    uint64_t lengthField = UINT64_MAX) {
    const uint64_t len = lengthField == UINT64_MAX ? headerText.size() : lengthField;
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i)
        bytes[i] = static_cast<char>(len >> (8 * i));
    bytes += headerText;
    bytes.append(reinterpret_cast<const char*>(data.data()), data.size());
    return {bytes.begin(), bytes.end()};
}

// A valid file: tensors laid out in the given order, header padded with spaces to a multiple of
// `alignment` bytes (8 like the Python writer; 1 makes the data section deliberately unaligned).
inline std::vector<uint8_t> safetensorsBytes(const std::vector<RawTensor>& tensors,
                                             const std::map<std::string, std::string>& metadata = {},
                                             std::size_t alignment = 8) {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::vector<uint8_t> data;
    for (const auto& t : tensors) {
        header[t.name] = {{"dtype", t.dtype},
                          {"shape", t.shape},
                          {"data_offsets", {data.size(), data.size() + t.bytes.size()}}};
        data.insert(data.end(), t.bytes.begin(), t.bytes.end());
    }
    std::string text = header.dump();
    while ((8 + text.size()) % alignment != 0)
        text += ' ';
    return rawFile(text, data);
}

inline void writeFile(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<uint8_t> readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void writeText(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

// Deterministic bytes (an LCG), so content checks compare real data rather than zeros.
inline std::vector<uint8_t> patternBytes(std::size_t n, uint32_t seed) {
    std::vector<uint8_t> v(n);
    uint32_t x = seed * 2654435761u + 12345u;
    for (auto& b : v) {
        x = x * 1664525u + 1013904223u;
        b = static_cast<uint8_t>(x >> 24);
    }
    return v;
}

} // namespace lumina::test
