#pragma once
// Reference: diffusers loaders/single_file_model.py (FromOriginalModelMixin.from_single_file for
// Lumina2Transformer2DModel) and single_file_utils.py (convert_lumina2_to_diffusers): the Lumina-Image 2.0
// transformer from one .safetensors file in the original key layout, with no config.json (docs/lumina2.md,
// Single-file weights).
#include "core/io/module_loader.h"
#include "core/models/lumina2/lumina2_model.h"

#include <filesystem>
#include <memory>

namespace lumina::models {

// Loads a transformer file such as Comfy-Org's lumina_2_model_bf16.safetensors or the official checkpoint, or
// the transformer part of a model.diffusion_model.-prefixed all-in-one checkpoint: the layout is detected
// from the keys (never the file name), the config inferred from the tensor shapes with what they do not hold
// taken from `unstored` (lumina2_original_keys.h), every tensor mapped to exactly one module tensor (the
// fused qkv as row views for to_q, to_k, to_v). Same dtype rule as loadLumina2Transformer (options.dtype,
// default fp32; a CPU load in the stored dtype maps the file without copies). `options.rename` and
// `splitRows` must be empty (the mapping is this function's). Throws ModelLoadError naming the file and the
// keys that do not fit.
std::shared_ptr<Lumina2TransformerImpl>
loadLumina2TransformerSingleFile(const std::filesystem::path& file, const io::LoadOptions& options,
                                 const Lumina2Config& unstored = lumina2ImageConfig());

// The checks of loadLumina2TransformerSingleFile (layout, config, tensor names and shapes) without reading
// tensor data; returns the inferred config.
Lumina2Config validateLumina2TransformerSingleFile(const std::filesystem::path& file,
                                                   const Lumina2Config& unstored = lumina2ImageConfig());

} // namespace lumina::models
