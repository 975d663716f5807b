#pragma once
// Makes the Lumina 2 transformer carry exactly the LoRAs a request asks for (docs/lumina2.md, LoRA): files
// read by models::readLumina2Lora (cached per path, size and modification time), fused by the models'
// LoraFusion, restored to the base weights when a run asks for none. Nothing changes when the set is already
// fused.
#include "core/pipeline/loaded_models.h"

#include <vector>

namespace lumina::pipeline {

// Throws ModelLoadError naming the file for a missing, unreadable or unfitting LoRA (the weights stay as
// they were), InvalidRequest when LoRAs are asked of a model that is not Lumina-Image 2.0.
void useLoras(const LoadedModels& models, const std::vector<LoraChoice>& loras);

} // namespace lumina::pipeline
