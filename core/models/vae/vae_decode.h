#pragma once
// Latents -> image, with tiled decoding for large images or short memory.
// Reference for the exact path: diffusers LuminaPipeline (latents / scaling_factor, vae.decode) and
// image_processor.py (VaeImageProcessor.denormalize: clamp(x * 0.5 + 0.5, 0, 1)).
#include "core/models/vae/autoencoder_kl.h"

#include <cstdint>

namespace lumina::models {

struct TiledDecodeOptions {
    enum class Mode { Auto, Never, Always } mode = Mode::Auto;
    int64_t tileLatent = 0;    // tile edge in latent pixels; 0 = choose from available memory
    int64_t overlapLatent = 0; // overlap between neighbouring tiles in latent pixels; 0 = tile / 4
    // Tiled passes that make the shared GroupNorm statistics exact one layer at a time (pass k fixes the k-th
    // GroupNorm of the up path; the SDXL up path has 25). 0: statistics of a whole-image pass at tile size
    // only.
    int statsPasses = 0;
};

// Latents in diffusion space (as the transformer sees them): divides by the scaling factor (adds the shift),
// decodes (tiled when the estimate exceeds the memory budget, when asked, or after an out-of-memory error,
// each logged) and returns a float32 CPU image (B, 3, H, W) in [0, 1] computed as clamp(x * 0.5 + 0.5, 0, 1)
// in the VAE dtype. Tiled decoding (see decodeTiled) is an approximation only through the shared GroupNorm
// statistics; the mid-block attention stays global. Throws OutOfMemory when even the smallest tiles do not
// fit.
at::Tensor decodeLatentsToImage(const AutoencoderKLImpl& vae, const at::Tensor& latents,
                                const TiledDecodeOptions& options);

// Decoder output (about [-1, 1], float32, on the VAE device) of z (already unscaled), tiled:
//  1. post_quant_conv + conv_in + mid block on the whole latent (exact, including the global attention;
//     latent-resolution activations only);
//  2. the up path per tile of `tileLatent` latent pixels, each tile read with tileContextLatent() extra
//     latent pixels of context on every side (so its convolutions see what the untiled decode sees) and
//     cropped back;
//  3. every GroupNorm uses statistics shared by all tiles: from a whole-image pass at reduced size, then
//     `statsPasses` tiled passes each make one more GroupNorm exact (summing every tile's own region); with
//     as many passes as GroupNorms the tiled decode equals the untiled one up to rounding;
//  4. overlaps blended with linear ramps.
at::Tensor decodeTiled(const AutoencoderKLImpl& vae, const at::Tensor& z, int64_t tileLatent,
                       int64_t overlapLatent, int statsPasses = 0);

// Receptive radius of the up path in latent pixels (rounded up): context each tile reads beyond its edges.
int64_t tileContextLatent(const VAEConfig& config);

// Working memory (bytes) of the whole-latent mid block that tiled decoding runs first.
uint64_t estimateMidBlockBytes(const VAEConfig& config, int64_t latentH, int64_t latentW,
                               c10::ScalarType dtype);

// Analytic upper estimate of the working memory (bytes) of one untiled decode of a (1, C, h, w) latent:
// the largest set of activations alive at once (a resnet at the widest level, an upsampler, the
// attention's q/k/v/out plus its score chunk). Weights and the returned image are not included.
uint64_t estimateDecodeBytes(const VAEConfig& config, int64_t latentH, int64_t latentW,
                             c10::ScalarType dtype);

// Memory a decode may use on `device`: CUDA: 80 % of the free memory (plus what the caching allocator holds
// free); CPU: a fixed kCpuDecodeBudgetBytes.
uint64_t decodeMemoryBudget(c10::Device device);
// 8 GiB: an untiled fp32 SDXL decode at 1024^2 needs about 5 GiB (measured 4.1 GB RSS growth) and must stay
// untiled (exact) by default; 2048^2 (about 19 GiB) is tiled.
inline constexpr uint64_t kCpuDecodeBudgetBytes = uint64_t{8} << 30;

// Largest square tile (latent pixels, multiple of 8, 16..256) whose estimate (tile plus context on both
// sides) fits in `budgetBytes`.
int64_t chooseTileLatent(const VAEConfig& config, c10::ScalarType dtype, uint64_t budgetBytes);

// Start offsets of tiles of `tile` covering [0, length) with overlaps of at least `overlap`, spread evenly.
std::vector<int64_t> tileStarts(int64_t length, int64_t tile, int64_t overlap);

} // namespace lumina::models
