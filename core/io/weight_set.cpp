#include "core/io/weight_set.h"

#include "core/io/json_file.h"
#include "core/util/errors.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace lumina::io {
namespace fs = std::filesystem;

namespace {
bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
} // namespace

WeightSet WeightSet::open(const fs::path& file) {
    WeightSet set;
    const std::string name = file.filename().string();
    if (!endsWith(name, ".index.json")) {
        set.m_files.push_back(SafetensorsFile::open(file));
        for (const auto& t : set.m_files.back()->tensors())
            set.m_entries.emplace(t.name, Entry{set.m_files.back().get(), &t});
        return set;
    }
    const auto index = readJsonObject(file);
    auto map = index.find("weight_map");
    if (map == index.end() || !map->is_object())
        throw ModelLoadError(fmt::format("{}: has no 'weight_map' object", file.string()));
    std::map<std::string, std::shared_ptr<const SafetensorsFile>> shards;
    std::map<std::string, std::string> wanted; // tensor -> shard
    for (const auto& [tensor, shard] : map->items()) {
        if (!shard.is_string())
            throw ModelLoadError(
                fmt::format("{}: weight_map entry '{}' is not a file name", file.string(), tensor));
        const auto shardName = shard.get<std::string>();
        if (shardName.find('/') != std::string::npos || shardName.find("..") != std::string::npos)
            throw ModelLoadError(fmt::format("{}: weight_map names '{}', which is not a file in this folder",
                                             file.string(), shardName));
        wanted[tensor] = shardName;
        if (!shards.count(shardName)) {
            const auto shardPath = file.parent_path() / shardName;
            std::error_code ec;
            if (!fs::exists(shardPath, ec) && !fs::is_symlink(shardPath, ec))
                throw ModelLoadError(fmt::format("{}: names shard '{}', which is missing from {}",
                                                 file.string(), shardName, file.parent_path().string()));
            shards[shardName] = SafetensorsFile::open(shardPath);
        }
    }
    for (auto& [shardName, shard] : shards) {
        set.m_files.push_back(shard);
        for (const auto& t : shard->tensors()) {
            auto it = set.m_entries.find(t.name);
            if (it != set.m_entries.end())
                throw ModelLoadError(fmt::format("{}: tensor '{}' is in two shards, {} and {}", file.string(),
                                                 t.name, it->second.file->path().filename().string(),
                                                 shardName));
            set.m_entries.emplace(t.name, Entry{shard.get(), &t});
        }
    }
    for (const auto& [tensor, shardName] : wanted) {
        auto it = set.m_entries.find(tensor);
        if (it == set.m_entries.end())
            throw ModelLoadError(fmt::format("{}: says tensor '{}' is in {}, but that shard does not have it",
                                             file.string(), tensor, shardName));
        if (it->second.file->path().filename().string() != shardName)
            throw ModelLoadError(fmt::format("{}: says tensor '{}' is in {}, but it is in {}", file.string(),
                                             tensor, shardName, it->second.file->path().filename().string()));
    }
    return set;
}

WeightSet WeightSet::openFolder(const fs::path& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw ModelLoadError(fmt::format("{}: folder is missing", folder.string()));
    for (const char* stem : {"diffusion_pytorch_model", "model"}) {
        for (const auto& candidate : {folder / (std::string(stem) + ".safetensors.index.json"),
                                      folder / (std::string(stem) + ".safetensors")}) {
            if (fs::exists(candidate, ec) || fs::is_symlink(candidate, ec)) return open(candidate);
        }
    }
    std::vector<fs::path> safetensors;
    std::vector<std::string> pickles;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
        const auto ext = entry.path().extension().string();
        if (ext == ".safetensors") safetensors.push_back(entry.path());
        if (ext == ".bin" || ext == ".pt" || ext == ".pth" || ext == ".ckpt" || ext == ".pkl")
            pickles.push_back(entry.path().filename().string());
    }
    if (safetensors.size() == 1) return open(safetensors.front());
    if (!pickles.empty())
        throw ModelLoadError(
            fmt::format("{}: has only PyTorch pickle weights ({}). Pickle files can run arbitrary code when "
                        "loaded, so Lumina "
                        "Studio never opens them. Convert them once with Python: `from diffusers import ...; "
                        "model.save_pretrained(folder, safe_serialization=True)` or "
                        "`safetensors.torch.save_file(torch.load(f), "
                        "'model.safetensors')` on a file you trust.",
                        folder.string(), fmt::join(pickles, ", ")));
    if (safetensors.size() > 1)
        throw ModelLoadError(
            fmt::format("{}: has {} .safetensors files but no *.safetensors.index.json that says "
                        "how they fit together",
                        folder.string(), safetensors.size()));
    throw ModelLoadError(fmt::format("{}: has no weights (expected diffusion_pytorch_model.safetensors, "
                                     "model.safetensors or a *.safetensors.index.json)",
                                     folder.string()));
}

const WeightSet::Entry* WeightSet::find(const std::string& name) const {
    auto it = m_entries.find(name);
    return it == m_entries.end() ? nullptr : &it->second;
}

uint64_t WeightSet::totalBytes() const {
    uint64_t n = 0;
    for (const auto& [_, e] : m_entries)
        n += e.info->byteSize();
    return n;
}

uint64_t WeightSet::totalFileBytes() const {
    uint64_t n = 0;
    for (const auto& f : m_files)
        n += f->fileSize();
    return n;
}

std::string WeightSet::firstKeys(std::size_t n) const {
    std::vector<std::string> keys;
    for (const auto& [key, _] : m_entries) {
        if (keys.size() == n) break;
        keys.push_back(key);
    }
    return fmt::format("{}", fmt::join(keys, ", "));
}

std::string WeightSet::describe() const {
    std::vector<std::string> names;
    for (const auto& f : m_files)
        names.push_back(f->path().string());
    return fmt::format("{}", fmt::join(names, ", "));
}

} // namespace lumina::io
