#pragma once
// Reference: diffusers loaders/lora_pipeline.py, Lumina2LoraLoaderMixin (lora_state_dict, load_lora_weights,
// load_lora_into_transformer): reading a LoRA file for the Lumina-Image 2.0 transformer. Fusing it into the
// weights is core/models/common/lora_fusion.h. docs/lumina2.md, LoRA.
#include "core/models/common/lora_adapter.h"
#include "core/models/lumina2/lumina2_model.h"

#include <filesystem>
#include <memory>

namespace lumina::models {

// Reads a .safetensors LoRA in one of the forms Lumina2LoraLoaderMixin accepts and checks it against `model`:
// - diffusers/PEFT: `transformer.<module>.lora_A.weight` / `.lora_B.weight` (older `.lora.down` / `.lora.up`
//   names renamed as diffusers does), with the LoraConfig fields of `lora_adapter_metadata` when the file has
//   them (r, lora_alpha, rank_pattern, alpha_pattern, use_rslora), otherwise scaling 1;
// - original layout: `diffusion_model.` keys with the fused attention.qkv (lumina2_lora_original_keys.h).
// Keys under other prefixes (a text-encoder part) are skipped and `dora_scale` tensors dropped, as diffusers
// does. The tensors stay views of the mapped file until fused. Throws ModelLoadError naming the file and the
// key for an unreadable or empty file, a file without transformer LoRA tensors, key forms diffusers refuses,
// and targets that are not Linear layers of `model` with matching shapes.
std::shared_ptr<const LoraAdapter> readLumina2Lora(const std::filesystem::path& file,
                                                   const Lumina2TransformerImpl& model);

} // namespace lumina::models
