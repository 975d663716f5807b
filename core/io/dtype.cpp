#include "core/io/dtype.h"

#include <array>
#include <utility>

namespace lumina::io {
namespace {
struct DTypeEntry {
    DType dtype;
    std::string_view name;
    std::size_t size;
};
constexpr std::array<DTypeEntry, 12> kDTypes{{{DType::F64, "F64", 8},
                                              {DType::F32, "F32", 4},
                                              {DType::F16, "F16", 2},
                                              {DType::BF16, "BF16", 2},
                                              {DType::I64, "I64", 8},
                                              {DType::I32, "I32", 4},
                                              {DType::I16, "I16", 2},
                                              {DType::I8, "I8", 1},
                                              {DType::U8, "U8", 1},
                                              {DType::Bool, "BOOL", 1},
                                              {DType::F8E4M3, "F8_E4M3", 1},
                                              {DType::F8E5M2, "F8_E5M2", 1}}};
} // namespace

std::optional<DType> parseDType(std::string_view name) {
    for (const auto& e : kDTypes)
        if (e.name == name) return e.dtype;
    return std::nullopt;
}

std::string dtypeName(DType dtype) {
    for (const auto& e : kDTypes)
        if (e.dtype == dtype) return std::string(e.name);
    return "?";
}

std::size_t dtypeSize(DType dtype) {
    for (const auto& e : kDTypes)
        if (e.dtype == dtype) return e.size;
    return 0;
}

} // namespace lumina::io
