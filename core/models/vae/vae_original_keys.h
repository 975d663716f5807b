#pragma once
// Reference: diffusers loaders/single_file_utils.py, convert_ldm_vae_checkpoint (with
// update_vae_resnet_ldm_to_diffusers, update_vae_attentions_ldm_to_diffusers, conv_attn_to_linear and
// DIFFUSERS_TO_LDM_MAPPING["vae"]): the original (ldm / BFL) key layout of single-file AutoencoderKL weights
// such as sdxl_vae.safetensors and FLUX's ae.safetensors (docs/vae.md, Single-file weights).
#include "core/io/module_loader.h"
#include "core/io/weight_set.h"
#include "core/models/vae/vae_config.h"

#include <cstddef>
#include <map>
#include <string>
#include <torch/nn/module.h>

namespace lumina::models {

enum class VAEKeyLayout {
    Diffusers, // encoder.down_blocks.0.resnets.1.norm1.weight, ..., attention as Linear (C, C)
    Original,  // encoder.down.0.block.1.norm1.weight, decoder.up.N reversed, attention as 1x1 conv (C, C, 1,
               // 1)
};

// The layout of a VAE weight set, from its key names alone. Throws ModelLoadError naming the file when it is
// neither: no encoder/decoder tensors (another model's file), both layouts mixed, or (with an empty `prefix`)
// a whole checkpoint whose VAE sits under a prefix (first_stage_model., vae.). A non-empty `prefix` ("vae.")
// reads the VAE tensors under it.
VAEKeyLayout detectVAEKeyLayout(const io::WeightSet& weights, const std::string& prefix = "");

// The original-layout name of a module key (the diffusers name AutoencoderKLImpl registers) in a VAE with
// `blockCount` blocks: the inverse of convert_ldm_vae_checkpoint's renaming. Throws Error for a key outside
// the AutoencoderKL layout.
std::string originalVAEKey(const std::string& moduleKey, std::size_t blockCount);

// The configuration of an original-layout weight set, read from its tensor shapes (block channels, resnets
// per block, latent channels, quant convs, mid-block attention), with the GroupNorm group count of the
// original code (32) and the scaling and shift factors of the known model with that latent format: SDXL (4
// latent channels with quant convs) or FLUX / Lumina-Image 2.0 (16, without). Throws ModelLoadError naming
// the file and the missing tensor or unknown format.
VAEConfig inferOriginalVAEConfig(const io::WeightSet& weights, const std::string& prefix = "");

// Sets options.rename so that every tensor of an original-layout `weights` fills its module tensor of `model`
// (built from `config`), checked both ways (core/io/original_key_map.h): each module tensor has its original
// tensor and each stored tensor is used. Throws ModelLoadError listing the missing and the unused original
// keys. With a non-empty `prefix` the original keys carry it and every tensor outside it is left unused
// (another component of the checkpoint).
void mapOriginalVAEKeys(const torch::nn::Module& model, const VAEConfig& config, const io::WeightSet& weights,
                        io::LoadOptions& options, const std::string& prefix = "");

} // namespace lumina::models
