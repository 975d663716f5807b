#pragma once
// Reference: diffusers loaders/single_file_utils.py, convert_lumina2_to_diffusers (the key mapping, the fused
// qkv split, the dropped norm_final and the model.diffusion_model. prefix) and
// CHECKPOINT_KEY_NAMES["lumina2"] (detection by cap_embedder.0.weight): the original Lumina-Image 2.0 key
// layout of single-file transformer weights such as Comfy-Org's lumina_2_model_bf16.safetensors
// (docs/lumina2.md, Single-file weights).
#include "core/io/original_key_map.h"
#include "core/io/weight_set.h"
#include "core/models/lumina2/lumina2_config.h"

#include <string>

namespace lumina::models {

// Where the transformer sits in an original-layout file: at the top, or under the prefix of an all-in-one
// checkpoint ("model.diffusion_model."), whose other tensors (text encoder, VAE) are left unused.
struct Lumina2OriginalFile {
    std::string prefix;
};

// Recognises the original Lumina-Image 2.0 layout from the key names alone (never the file name). Throws
// ModelLoadError naming the file for a diffusers-layout transformer (load its folder instead), a Lumina-Next
// transformer, or a file without Lumina-Image 2.0 transformer tensors (a VAE, a text encoder).
Lumina2OriginalFile detectLumina2OriginalFile(const io::WeightSet& weights);

// The original key (with `prefix`) of a module key of Lumina2TransformerImpl: the inverse of
// convert_lumina2_to_diffusers. to_q, to_k and to_v are parts 0, 1, 2 of the fused attention.qkv.weight.
// Throws Error for a key outside the Lumina2Transformer2DModel layout.
io::OriginalKey originalLumina2Key(const std::string& moduleKey, const std::string& prefix);

// The configuration from the tensor shapes (hidden size, layers, refiner layers, head dim from q_norm, kv
// heads from the fused qkv rows, cap_feat_dim, in/out channels, the feed-forward width); what the shapes do
// not hold (patch size, RoPE axes split and lengths, norm eps, sample size, scaling factor) comes from
// `unstored`, by default the published Lumina-Image 2.0 config. Throws ModelLoadError naming the file and the
// tensor that is missing or does not fit.
Lumina2Config inferOriginalLumina2Config(const io::WeightSet& weights, const Lumina2OriginalFile& file,
                                         const Lumina2Config& unstored);

// The original layout for io::mapOriginalKeys: the model's keys through originalLumina2Key, with norm_final
// (which the reference drops) and, in an all-in-one checkpoint, every tensor outside the prefix ignored.
io::OriginalLayout originalLumina2Layout(const Lumina2Config& config, const Lumina2OriginalFile& file);

} // namespace lumina::models
