#pragma once
// Reference: diffusers loaders/single_file_model.py (FromOriginalModelMixin.from_single_file for
// AutoencoderKL) and single_file_utils.py (convert_ldm_vae_checkpoint): an AutoencoderKL from one
// .safetensors file in the original (ldm / BFL) key layout, with no config.json (docs/vae.md, Single-file
// weights).
#include "core/io/module_loader.h"
#include "core/models/vae/autoencoder_kl.h"

#include <filesystem>
#include <memory>

namespace lumina::models {

// Loads a VAE-only file such as sdxl_vae.safetensors or FLUX's ae.safetensors: the layout is detected from
// the keys (never the file name), the config inferred from the tensor shapes plus the known latent formats
// (vae_original_keys.h), every tensor mapped to exactly one module key and the 1x1-convolution attention
// weights viewed as Linear weights. Same dtype rule as loadVAE. `options.rename` must be empty (the mapping
// is this function's). Throws ModelLoadError naming the file and the keys that do not fit. `prefix` ("vae.",
// "first_stage_model.") loads the VAE part of a whole checkpoint, whose other tensors are then left unread.
std::shared_ptr<AutoencoderKLImpl> loadVAESingleFile(const std::filesystem::path& file,
                                                     const io::LoadOptions& options,
                                                     const std::string& prefix = "");

// The checks of loadVAESingleFile (layout, config, tensor names and shapes) without reading tensor data.
VAEConfig validateVAESingleFile(const std::filesystem::path& file, const std::string& prefix = "");

} // namespace lumina::models
