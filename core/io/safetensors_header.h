#pragma once
// Strict parser of a safetensors header (8-byte little-endian length, JSON object, data section).
// Pure function over bytes, no I/O, so the fuzzer and the file reader share it.
#include "core/io/dtype.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lumina::io {

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    uint64_t begin = 0; // byte offsets relative to the start of the data section
    uint64_t end = 0;

    uint64_t byteSize() const { return end - begin; }
    int64_t numel() const;
};

struct SafetensorsHeader {
    std::vector<TensorInfo> tensors; // in data-offset order
    std::map<std::string, std::string> metadata;
    uint64_t dataOffset = 0; // 8 + header length
    uint64_t dataSize = 0;
};

// The largest header accepted: real checkpoints have headers of tens of kilobytes.
inline constexpr uint64_t kMaxHeaderBytes = 100ull * 1024 * 1024;

// Validates everything a reader relies on: lengths, JSON shape, dtypes, shapes (non-negative, no
// overflow), offsets inside the data section, contiguous and non-overlapping, byte spans that equal
// shape x dtype size, no duplicate names. Throws ModelLoadError naming `fileLabel` and the cause.
SafetensorsHeader parseSafetensorsHeader(const uint8_t* bytes, uint64_t size, const std::string& fileLabel);

} // namespace lumina::io
