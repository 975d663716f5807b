#pragma once
// Latents -> image, with tiled decoding for large images or short memory.
// Reference for the exact path: diffusers LuminaPipeline (latents / scaling_factor, vae.decode) and
// image_processor.py (VaeImageProcessor.denormalize: clamp(x * 0.5 + 0.5, 0, 1)).
#include "core/models/vae/autoencoder_kl.h"
#include "core/models/vae/vae_memory.h"

#include <cstdint>
#include <limits>

namespace lumina::models {

// Latents in diffusion space (as the transformer sees them): divides by the scaling factor (adds the shift),
// decodes (tiled when the estimate exceeds the memory budget, when asked, or after an out-of-memory error,
// each logged) and returns a float32 CPU image (B, 3, H, W) in [0, 1] computed as clamp(x * 0.5 + 0.5, 0, 1)
// in the VAE dtype. Tiled decoding (see decodeTiled) is an approximation only through the shared GroupNorm
// statistics; the mid-block attention stays global. Throws OutOfMemory when even the smallest tiles do not
// fit.
at::Tensor decodeLatentsToImage(const AutoencoderKLImpl& vae, const at::Tensor& latents,
                                const TiledDecodeOptions& options);

// Decoder output (about [-1, 1], float32, on the VAE device) of z (already unscaled), tiled:
//  1. post_quant_conv + conv_in + mid block (global attention) and the first `wholeImageUpBlocks` up blocks
//     on the whole image: exact, with ordinary GroupNorm;
//  2. the remaining up blocks per tile of `tileLatent` latent pixels, each tile read with
//     tileContextLatent(config, wholeImageUpBlocks) extra latent pixels of context on every side (so its
//     convolutions see what the untiled decode sees) and cropped back;
//  3. every GroupNorm of the tiled part normalizes with statistics shared by all tiles. Exact: pass k runs
//     every tile only up to the k-th GroupNorm and sums that layer's input over each tile's own region, so
//     after one pass per GroupNorm all statistics are the untiled ones (the passes stop early, so together
//     they cost about half a pass per GroupNorm). Approximate: the statistics of one whole-image pass at
//     about tile size;
//  4. overlaps blended with linear ramps.
at::Tensor decodeTiled(const AutoencoderKLImpl& vae, const at::Tensor& z, int64_t tileLatent,
                       int64_t overlapLatent,
                       TiledDecodeOptions::Statistics statistics = TiledDecodeOptions::Statistics::Exact,
                       int wholeImageUpBlocks = 0);

// Most elements one tensor may have on `device` for the VAE's kernels: on CUDA and MPS some kernels (cuDNN
// convolutions with a batch of one, nearest upsampling, GroupNorm on older releases) index with 32-bit
// integers and fail or misbehave beyond INT32_MAX elements, which an untiled 4096^2 decode reaches (512
// channels at 2048^2 after the second up block); the CPU kernels index with 64 bits (no limit).
int64_t indexLimitElements(c10::Device device);
// Memory a decode may use on `device`: CUDA: 80 % of the free memory (plus what the caching allocator holds
// free); CPU: 70 % of the memory the machine has available now (running out on the CPU is not an error one
// can catch: the OOM killer ends the process), or kCpuDecodeFallbackBytes where that cannot be read.
uint64_t decodeMemoryBudget(c10::Device device);

// Hands the CUDA caching allocator's free blocks back before a retry in tiles (a no-op elsewhere).
void releaseCachedMemory(c10::Device device);
} // namespace lumina::models
