#include "core/models/lumina2/lumina2_lora.h"

#include "core/io/safetensors_file.h"
#include "core/models/common/peft_lora_state.h"
#include "core/models/lumina2/lumina2_lora_original_keys.h"
#include "core/util/errors.h"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace lumina::models {
namespace {

constexpr const char* kOriginalPrefix = "diffusion_model.";
constexpr const char* kComponentPrefix = "transformer.";

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

bool contains(const std::string& s, const char* part) {
    return s.find(part) != std::string::npos;
}

// The file's tensors in storage order (safetensors' load_file order, which decides diffusers' first key).
std::vector<std::pair<std::string, at::Tensor>> tensorsOf(const io::SafetensorsFile& file) {
    std::vector<const io::TensorInfo*> infos;
    for (const auto& info : file.tensors())
        infos.push_back(&info);
    std::stable_sort(infos.begin(), infos.end(),
                     [](const io::TensorInfo* a, const io::TensorInfo* b) { return a->begin < b->begin; });
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    for (const auto* info : infos)
        tensors.emplace_back(info->name, file.tensor(*info));
    return tensors;
}

std::string firstKeysOf(const std::vector<std::pair<std::string, at::Tensor>>& tensors) {
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < tensors.size() && i < 4; ++i)
        keys.push_back(tensors[i].first);
    return fmt::format("{}", fmt::join(keys, ", "));
}

// lora_adapter_metadata's entries under `transformer.`, prefix removed (load_lora_adapter), or nullopt.
std::optional<nlohmann::ordered_json> configOf(const io::SafetensorsFile& file, const std::string& source) {
    const auto it = file.metadata().find("lora_adapter_metadata");
    if (it == file.metadata().end()) return std::nullopt;
    nlohmann::ordered_json all;
    try {
        all = nlohmann::ordered_json::parse(it->second);
    } catch (const nlohmann::json::exception& e) {
        throw ModelLoadError(
            fmt::format("{}: lora_adapter_metadata is not valid JSON ({})", source, e.what()));
    }
    if (!all.is_object())
        throw ModelLoadError(fmt::format("{}: lora_adapter_metadata is not a JSON object", source));
    auto config = nlohmann::ordered_json::object();
    for (const auto& [key, value] : all.items())
        if (startsWith(key, kComponentPrefix))
            config[key.substr(std::string(kComponentPrefix).size())] = value;
    return config;
}

} // namespace

std::shared_ptr<const LoraAdapter> readLumina2Lora(const std::filesystem::path& path,
                                                   const Lumina2TransformerImpl& model) {
    const auto file = io::SafetensorsFile::open(path);
    const auto source = path.string();
    auto tensors = tensorsOf(*file);
    if (tensors.empty())
        throw ModelLoadError(fmt::format("{}: has no tensors; is the LoRA file complete?", source));
    // lora_state_dict drops DoRA scales (with a warning) before anything else.
    std::erase_if(tensors, [](const auto& t) { return contains(t.first, "dora_scale"); });

    const bool original = std::any_of(tensors.begin(), tensors.end(),
                                      [](const auto& t) { return startsWith(t.first, kOriginalPrefix); });
    if (original) {
        for (auto& [key, _] : tensors) {
            if (!startsWith(key, kOriginalPrefix))
                throw ModelLoadError(fmt::format("{}: mixes original-layout keys (diffusion_model.) with "
                                                 "'{}'; diffusers reads such a file as "
                                                 "original layout only",
                                                 source, key));
            if (contains(key, "lora_down") || contains(key, "lora_up"))
                throw ModelLoadError(fmt::format("{}: '{}' uses lora_down/lora_up names; diffusers' Lumina 2 "
                                                 "converter reads only lora_A/lora_B "
                                                 "in the original layout, so it refuses this file",
                                                 source, key));
            key = key.substr(std::string(kOriginalPrefix).size());
        }
        const auto& c = model.config();
        tensors =
            convertOriginalLumina2Lora(std::move(tensors), {c.hiddenSize, c.kvDim(), c.kvDim()}, source);
    }
    // load_lora_weights: "Make sure all LoRA param names contain `'lora'` substring."
    for (const auto& [key, _] : tensors)
        if (!contains(key, "lora"))
            throw ModelLoadError(fmt::format("{}: '{}' is not a LoRA tensor (diffusers requires 'lora' in "
                                             "every key; .alpha values belong to "
                                             "lora_adapter_metadata in this format)",
                                             source, key));

    PeftLoraState state{source, {}, configOf(*file, source)};
    for (auto& [key, tensor] : tensors)
        if (startsWith(key, kComponentPrefix))
            state.tensors.emplace_back(key.substr(std::string(kComponentPrefix).size()), tensor);
    if (state.tensors.empty())
        throw ModelLoadError(
            fmt::format("{}: has no LoRA tensors for the Lumina 2 transformer (keys under 'transformer.' or "
                        "'diffusion_model.'); its {} keys start with: {}. Is it a LoRA for another model or "
                        "a text encoder?",
                        source, tensors.size(), firstKeysOf(tensors)));

    auto adapter = std::make_shared<LoraAdapter>(peftLoraAdapter(state));
    checkLoraFitsModel(*adapter, model, "Lumina 2 transformer");
    return adapter;
}

} // namespace lumina::models
