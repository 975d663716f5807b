#pragma once
// Image -> diffusion-space latents, with exact tiled encoding for large images or short memory.
// Reference: diffusers models/autoencoders/autoencoder_kl.py (AutoencoderKL.encode), vae.py
// (DiagonalGaussianDistribution: mean, std = exp(logvar / 2), sample = mean + std * randn), and
// pipelines/stable_diffusion_3/pipeline_stable_diffusion_3_img2img.py (retrieve_latents with a generator,
// then (latents - shift_factor) * scaling_factor).
#include "core/models/vae/autoencoder_kl.h"
#include "core/vocabulary/choices.h"

#include <ATen/core/Generator.h>
#include <cstdint>
#include <optional>
#include <utility>

namespace lumina::models {

struct TiledEncodeOptions {
    VAETiling mode = VAETiling::Auto; // Auto: tiles when the untiled encode would not fit in memory
    int64_t tileLatent = 0;           // tile edge in latent pixels; 0 = choose from available memory
};

// (mean, logvar) of the posterior of `image` (B, 3, H, W) in [-1, 1] (moved to the VAE's device and dtype),
// H and W multiples of the VAE's spatial factor. Tiles the down path (encodeDownTiled) when the estimate
// exceeds the memory budget (decodeMemoryBudget), when asked, or after an out-of-memory error; the mid block
// (global attention) always runs on the whole latent. Throws OutOfMemory when even small tiles do not fit.
std::pair<at::Tensor, at::Tensor> encodeImageMoments(const AutoencoderKLImpl& vae, const at::Tensor& image,
                                                     const TiledEncodeOptions& options = {});

// Diffusion-space latents of `image`: the posterior mean (no generator) or a sample mean + std * randn drawn
// from `generator` (a CPU generator: drawn on the CPU in the VAE dtype, then moved, as diffusers'
// randn_tensor does for a CPU generator), then (z - shift_factor) * scaling_factor (no shift when the config
// has none). Returned on the VAE device in the VAE dtype.
at::Tensor encodeImageToLatents(const AutoencoderKLImpl& vae, const at::Tensor& image,
                                std::optional<at::Generator> generator,
                                const TiledEncodeOptions& options = {});

// The encoder's down path (conv_in + down blocks, before the mid block) of `image`, in tiles of `tileLatent`
// latent pixels: each tile reads encodeContextLatent() latent pixels of context on every side and keeps the
// region it owns; every GroupNorm normalizes with the untiled statistics, made exact one GroupNorm at a time
// by early-stopped passes over the tiles (as decodeTiled does). Equals encodeDown() up to rounding.
at::Tensor encodeDownTiled(const AutoencoderKLImpl& vae, const at::Tensor& image, int64_t tileLatent);

// Receptive radius (latent pixels, rounded up) of the down path: the context each encode tile reads.
int64_t encodeContextLatent(const VAEConfig& config);

// Working memory (bytes) of an untiled encode of a (1, 3, h*f, w*f) image (largest set of activations alive
// at once, plus the attention score chunk); the input image is not included.
uint64_t estimateEncodeBytes(const VAEConfig& config, int64_t latentH, int64_t latentW,
                             c10::ScalarType dtype);

// Working memory (bytes) of one tile of `tileLatent` latent pixels (context included by the caller) through
// the down path.
uint64_t estimateEncodeTileBytes(const VAEConfig& config, int64_t tileLatent, c10::ScalarType dtype);

// Largest square tile (latent pixels, multiple of 8, 16..256) whose down-path estimate, context included,
// fits in `budgetBytes` beside the whole-latent mid block.
int64_t chooseEncodeTileLatent(const VAEConfig& config, int64_t latentH, int64_t latentW,
                               c10::ScalarType dtype, uint64_t budgetBytes);

} // namespace lumina::models
