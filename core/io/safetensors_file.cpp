#include "core/io/safetensors_file.h"

#include "core/util/errors.h"

#include <fmt/format.h>
#include <torch/torch.h>

namespace lumina::io {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors data is little-endian");

c10::ScalarType scalarType(DType dtype) {
    switch (dtype) {
    case DType::F64:
        return torch::kFloat64;
    case DType::F32:
        return torch::kFloat32;
    case DType::F16:
        return torch::kFloat16;
    case DType::BF16:
        return torch::kBFloat16;
    case DType::I64:
        return torch::kInt64;
    case DType::I32:
        return torch::kInt32;
    case DType::I16:
        return torch::kInt16;
    case DType::I8:
        return torch::kInt8;
    case DType::U8:
        return torch::kUInt8;
    case DType::Bool:
        return torch::kBool;
    case DType::F8E4M3:
        return torch::kFloat8_e4m3fn;
    case DType::F8E5M2:
        return torch::kFloat8_e5m2;
    }
    return torch::kFloat32;
}

std::shared_ptr<const SafetensorsFile> SafetensorsFile::open(const std::filesystem::path& path) {
    auto file = std::make_shared<SafetensorsFile>();
    file->m_file = MappedFile::open(path);
    file->m_header = parseSafetensorsHeader(file->m_file->data(), file->m_file->size(), path.string());
    for (std::size_t i = 0; i < file->m_header.tensors.size(); ++i)
        file->m_index.emplace(file->m_header.tensors[i].name, i);
    return file;
}

const TensorInfo* SafetensorsFile::find(const std::string& name) const {
    auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_header.tensors[it->second];
}

at::Tensor SafetensorsFile::tensor(const TensorInfo& info) const {
    const auto type = scalarType(info.dtype);
    const auto options = torch::TensorOptions().dtype(type).device(torch::kCPU);
    if (info.byteSize() == 0) return torch::empty(info.shape, options);
    uint8_t* p = m_file->mutableData() + m_header.dataOffset + info.begin;
    if (reinterpret_cast<uintptr_t>(p) % dtypeSize(info.dtype) == 0) {
        auto keepAlive = m_file;
        return torch::from_blob(
            p, info.shape, [keepAlive](void*) {}, options);
    }
    auto out = torch::empty(info.shape, options);
    std::memcpy(out.data_ptr(), p, info.byteSize());
    return out;
}

void SafetensorsFile::adviseWillNeed(const TensorInfo& info) const {
    m_file->adviseWillNeed(m_header.dataOffset + info.begin, info.byteSize());
}

at::Tensor SafetensorsFile::tensor(const std::string& name) const {
    const auto* info = find(name);
    if (!info) throw ModelLoadError(fmt::format("{}: has no tensor '{}'", path().string(), name));
    return tensor(*info);
}

} // namespace lumina::io
