#pragma once
// A LoRA state dict in diffusers/PEFT form turned into a LoraAdapter the way diffusers' load_lora_adapter and
// peft do it (diffusers loaders/peft.py, PeftAdapterMixin.load_lora_adapter; utils/peft_utils.py,
// get_peft_kwargs and _create_lora_config; utils/state_dict_utils.py, convert_unet_state_dict_to_peft; peft
// tuners/lora/model.py, LoraModel._create_and_replace, and utils/other.py, get_pattern_key). docs/lumina2.md,
// LoRA.
#include "core/models/common/lora_adapter.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <torch/nn/module.h>
#include <utility>
#include <vector>

namespace lumina::models {

struct PeftLoraState {
    std::string source; // the file, for messages
    // Keys without the component prefix (`layers.0.attn.to_q.lora_A.weight`), in the file's storage order:
    // diffusers decides from the first key whether to rename older key forms.
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    // The LoraConfig fields stored with the file (lora_adapter_metadata, prefix removed), in the file's order
    // (the first matching rank_pattern / alpha_pattern entry wins); nullopt when the file has none.
    std::optional<nlohmann::ordered_json> config;
};

// The adapter of `state`: one layer per module with lora_A and lora_B, its rank from the tensors, its alpha
// and divisor from the config (without one, alpha = rank: scaling 1, diffusers' rule). Throws ModelLoadError
// naming the file and the key for what diffusers + peft refuse (a module with only one of its matrices, ranks
// that disagree, a config rank that is not the tensors') and for what they would load differently from a
// plain LoRA (DoRA, LoRA biases), which this loader does not support.
LoraAdapter peftLoraAdapter(const PeftLoraState& state);

// Checks that every layer of `adapter` targets a Linear (Dense) of `model` with matching shapes. Throws
// ModelLoadError listing every problem by module (up to 20).
void checkLoraFitsModel(const LoraAdapter& adapter, const torch::nn::Module& model,
                        const std::string& modelLabel);

} // namespace lumina::models
