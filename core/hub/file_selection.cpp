#include "core/hub/file_selection.h"

#include "core/hub/hub_errors.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <set>

namespace lumina::hub {
namespace {

bool endsWith(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// "diffusion_pytorch_model.safetensors", "model-00001-of-00002.safetensors": no variant; ".fp16." is one.
bool isVariantWeight(const std::string& fileName) {
    const std::string stem = fileName.substr(0, fileName.size() - std::string(".safetensors").size());
    return stem.find('.') != std::string::npos;
}

} // namespace

std::vector<std::string> pipelineComponents(const nlohmann::json& modelIndex) {
    if (!modelIndex.is_object() || !modelIndex.contains("_class_name"))
        throw ProtocolError("model_index.json is not a diffusers pipeline index (no '_class_name')");
    std::vector<std::string> components;
    for (const auto& [key, value] : modelIndex.items()) {
        if (key.empty() || key.front() == '_') continue;
        if (!value.is_array() || value.size() != 2 || !value[0].is_string() || !value[1].is_string())
            continue;
        if (key.find('/') != std::string::npos || key == "." || key == ".." ||
            key.find('\\') != std::string::npos)
            throw ProtocolError(fmt::format("model_index.json names an unsafe component folder '{}'", key));
        components.push_back(key);
    }
    return components;
}

std::vector<std::string> selectPipelineFiles(const nlohmann::json& modelIndex,
                                             const std::vector<std::string>& repoPaths) {
    std::vector<std::string> selected{"model_index.json"};
    for (const auto& component : pipelineComponents(modelIndex)) {
        const std::string prefix = component + "/";
        std::vector<std::string> weights, variantWeights, others;
        bool hasUnsafeWeights = false;
        for (const auto& path : repoPaths) {
            if (path.rfind(prefix, 0) != 0) continue;
            const std::string name = path.substr(prefix.size());
            if (name.find('/') != std::string::npos) continue; // nested folders are not part of the component
            if (endsWith(name, ".safetensors")) {
                (isVariantWeight(name) ? variantWeights : weights).push_back(path);
            } else if (endsWith(name, ".json") || endsWith(name, ".model") || endsWith(name, ".txt") ||
                       endsWith(name, ".tiktoken")) {
                // A variant's safetensors index goes with the variant weights.
                if (endsWith(name, ".safetensors.index.json") &&
                    isVariantWeight(name.substr(0, name.size() - std::string(".index.json").size())))
                    variantWeights.push_back(path);
                else
                    others.push_back(path);
            } else if (endsWith(name, ".bin") || endsWith(name, ".pt") || endsWith(name, ".ckpt") ||
                       endsWith(name, ".pth")) {
                hasUnsafeWeights = true;
            }
        }
        if (weights.empty()) weights = variantWeights;
        if (weights.empty() && hasUnsafeWeights)
            throw ProtocolError(fmt::format("component '{}' has only pickle weights (.bin/.pt/.ckpt), no "
                                            ".safetensors: not downloading it",
                                            component));
        for (auto* list : {&others, &weights})
            selected.insert(selected.end(), list->begin(), list->end());
    }
    return selected;
}

} // namespace lumina::hub
