#include "core/io/safetensors_writer.h"

#include "core/io/dtype.h"
#include "core/util/errors.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>
#include <unistd.h>

namespace lumina::io {
namespace {

std::string dtypeNameOf(c10::ScalarType type) {
    switch (type) {
    case c10::kDouble:
        return "F64";
    case c10::kFloat:
        return "F32";
    case c10::kHalf:
        return "F16";
    case c10::kBFloat16:
        return "BF16";
    case c10::kLong:
        return "I64";
    case c10::kInt:
        return "I32";
    case c10::kShort:
        return "I16";
    case c10::kChar:
        return "I8";
    case c10::kByte:
        return "U8";
    case c10::kBool:
        return "BOOL";
    case c10::kFloat8_e4m3fn:
        return "F8_E4M3";
    case c10::kFloat8_e5m2:
        return "F8_E5M2";
    default:
        throw InvalidRequest(fmt::format("safetensors cannot store dtype {}", c10::toString(type)));
    }
}

} // namespace

void writeSafetensors(const std::filesystem::path& file, const std::map<std::string, at::Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
    std::map<std::string, at::Tensor> contiguous;
    nlohmann::ordered_json header;
    if (!metadata.empty()) header["__metadata__"] = metadata;
    uint64_t offset = 0;
    for (const auto& [name, tensor] : tensors) {
        auto t = tensor.detach().cpu().contiguous();
        const uint64_t bytes = static_cast<uint64_t>(t.numel()) * t.element_size();
        header[name] = {{"dtype", dtypeNameOf(t.scalar_type())},
                        {"shape", t.sizes().vec()},
                        {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        contiguous.emplace(name, t);
    }
    std::string json = header.dump();
    json.append((8 - json.size() % 8) % 8, ' ');
    const uint64_t length = json.size();

    const auto folder = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec))
        throw IoError(
            fmt::format("{}: cannot write: folder {} does not exist", file.string(), folder.string()));
    const auto temp = folder / (".~" + file.filename().string() + fmt::format(".{}.tmp", ::getpid()));
    std::FILE* f = std::fopen(temp.c_str(), "wb");
    if (!f) throw IoError(fmt::format("{}: cannot write: {}", file.string(), std::strerror(errno)));
    bool ok = true;
    uint8_t lengthBytes[8];
    for (int i = 0; i < 8; ++i)
        lengthBytes[i] = static_cast<uint8_t>(length >> (8 * i));
    ok = ok && std::fwrite(lengthBytes, 1, 8, f) == 8;
    ok = ok && std::fwrite(json.data(), 1, json.size(), f) == json.size();
    for (const auto& [name, t] : contiguous) {
        const auto bytes = static_cast<std::size_t>(t.numel()) * t.element_size();
        ok = ok && (bytes == 0 || std::fwrite(t.data_ptr(), 1, bytes, f) == bytes);
    }
    const int err = errno;
    ok = (std::fclose(f) == 0) && ok;
    if (!ok) {
        std::filesystem::remove(temp, ec);
        throw IoError(fmt::format("{}: writing failed: {}", file.string(), std::strerror(err)));
    }
    std::filesystem::rename(temp, file, ec);
    if (ec) {
        std::filesystem::remove(temp, ec);
        throw IoError(fmt::format("{}: cannot replace the file: {}", file.string(), ec.message()));
    }
}

} // namespace lumina::io
