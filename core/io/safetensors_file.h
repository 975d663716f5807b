#pragma once
// One memory-mapped safetensors file: its validated header and its tensors as LibTorch tensors.
#include "core/io/mapped_file.h"
#include "core/io/safetensors_header.h"

#include <ATen/core/Tensor.h>
#include <filesystem>
#include <memory>

namespace lumina::io {

class SafetensorsFile {
public:
    // Maps and validates the file; throws ModelLoadError naming the file and the cause.
    static std::shared_ptr<const SafetensorsFile> open(const std::filesystem::path& path);

    const std::filesystem::path& path() const { return m_file->path(); }
    uint64_t fileSize() const { return m_file->size(); }
    const std::vector<TensorInfo>& tensors() const { return m_header.tensors; }
    const std::map<std::string, std::string>& metadata() const { return m_header.metadata; }
    const TensorInfo* find(const std::string& name) const;
    const uint8_t* bytes(const TensorInfo& info) const {
        return m_file->data() + m_header.dataOffset + info.begin;
    }

    // The tensor on the CPU in its stored dtype. Wraps the mapped pages without copying when they are
    // aligned for the element type (the tensor then keeps the mapping alive); copies otherwise.
    at::Tensor tensor(const TensorInfo& info) const;
    at::Tensor tensor(const std::string& name) const;
    // Asks the kernel to read the tensor's pages ahead (asynchronously) because they will be used soon.
    void adviseWillNeed(const TensorInfo& info) const;

private:
    std::shared_ptr<MappedFile> m_file;
    SafetensorsHeader m_header;
    std::map<std::string, std::size_t> m_index;
};

// LibTorch scalar type of a safetensors dtype (F8 types map to Float8_e4m3fn / Float8_e5m2).
c10::ScalarType scalarType(DType dtype);

} // namespace lumina::io
