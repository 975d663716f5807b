#pragma once
// Element types of safetensors files and their LibTorch counterparts.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lumina::io {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool, F8E4M3, F8E5M2 };

// Parses a safetensors dtype name ("F32", "BF16", "F8_E4M3", ...); nullopt when unknown.
std::optional<DType> parseDType(std::string_view name);
std::string dtypeName(DType dtype);
std::size_t dtypeSize(DType dtype);

} // namespace lumina::io
