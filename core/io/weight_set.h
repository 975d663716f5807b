#pragma once
// The weights of one component: a single safetensors file or a sharded set described by
// `*.safetensors.index.json`, seen as one name -> tensor map.
#include "core/io/safetensors_file.h"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace lumina::io {

class WeightSet {
public:
    // Opens `file` (a .safetensors file or a .safetensors.index.json). Throws ModelLoadError.
    static WeightSet open(const std::filesystem::path& file);
    // Finds the weights of a component folder: diffusion_pytorch_model / model, sharded or not.
    // Refuses pickle-only folders (.bin/.pt/.ckpt) with advice to convert. Throws ModelLoadError.
    static WeightSet openFolder(const std::filesystem::path& folder);

    struct Entry {
        const SafetensorsFile* file;
        const TensorInfo* info;
    };
    const Entry* find(const std::string& name) const;
    const std::map<std::string, Entry>& entries() const { return m_entries; }
    const std::vector<std::shared_ptr<const SafetensorsFile>>& files() const { return m_files; }
    uint64_t totalBytes() const; // bytes of tensor data
    uint64_t totalFileBytes() const;
    std::string describe() const; // file name(s) for messages
    std::string
    firstKeys(std::size_t n) const; // the first n tensor names (sorted), comma-separated, for messages

private:
    std::vector<std::shared_ptr<const SafetensorsFile>> m_files;
    std::map<std::string, Entry> m_entries;
};

} // namespace lumina::io
