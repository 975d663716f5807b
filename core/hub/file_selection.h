#pragma once
// Which files of a diffusers pipeline repository to download: model_index.json and, for each component it
// names, the component's JSON files (config, scheduler config, tokenizer files, safetensors index) and its
// .safetensors weights (the variant-free names when there are any, like diffusers' default load), the
// tokenizer's own files (tokenizer.model, *.txt vocabularies); never .bin / .pt / .ckpt / .pth / .h5 /
// .msgpack / .onnx weights, nothing outside the component folders (diffusers' pipeline_loading_utils
// filters the same way when use_safetensors=True).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lumina::hub {

// The component folders model_index.json declares (keys not starting with '_' whose value is a
// [library, class] pair). Throws ProtocolError when the file is not a pipeline index.
std::vector<std::string> pipelineComponents(const nlohmann::json& modelIndex);

// The subset of `repoPaths` to download, "model_index.json" first. Throws ProtocolError when a component
// that has weights has no .safetensors weights (only .bin, say).
std::vector<std::string> selectPipelineFiles(const nlohmann::json& modelIndex,
                                             const std::vector<std::string>& repoPaths);

} // namespace lumina::hub
