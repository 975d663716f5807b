#pragma once
// Model-independent inspection of a located pipeline: every component's config file is read and
// type-checked, every safetensors header is validated (never the tensor data), and the configs are
// cross-checked against tensor shapes and each other. Per-model key-set validation lives with the models.
#include "core/io/checkpoint_locator.h"

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lumina::io {

struct ComponentSummary {
    ComponentRef ref;
    std::filesystem::path configFile;
    std::vector<std::pair<std::filesystem::path, uint64_t>> files; // weight or data files and their sizes
    uint64_t fileBytes = 0;
    uint64_t tensorCount = 0;
    uint64_t parameterCount = 0;
    std::map<std::string, uint64_t> dtypes;          // safetensors dtype name -> tensor count
    nlohmann::json facts = nlohmann::json::object(); // a few config values worth showing
};

struct CheckpointSummary {
    PipelineCheckpoint checkpoint;
    std::vector<ComponentSummary> components; // in luminaComponents() order
};

// Throws ModelLoadError naming the file and the cause.
ComponentSummary inspectComponent(const ComponentRef& component);
CheckpointSummary inspectCheckpoint(const PipelineCheckpoint& checkpoint);

nlohmann::json toJson(const ComponentSummary& summary);
nlohmann::json toJson(const CheckpointSummary& summary);

} // namespace lumina::io
