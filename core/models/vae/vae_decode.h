#pragma once
// Latents -> image, with tiled decoding for large images or short memory.
// Reference for the exact path: diffusers LuminaPipeline (latents / scaling_factor, vae.decode) and
// image_processor.py (VaeImageProcessor.denormalize: clamp(x * 0.5 + 0.5, 0, 1)).
#include "core/models/vae/autoencoder_kl.h"
#include "core/vocabulary/choices.h"

#include <cstdint>
#include <limits>

namespace lumina::models {

struct TiledDecodeOptions {
    VAETiling mode = VAETiling::Auto; // Auto: tiles when the untiled decode would not fit in memory
    int64_t tileLatent = 0;           // tile edge in latent pixels; 0 = choose from available memory
    int64_t overlapLatent = -1; // blended overlap between neighbouring tiles in latent pixels; -1 = default
    // How tiles share GroupNorm statistics (see decodeTiled). Exact: the tiled decode equals the untiled one
    // up to rounding, at the cost of extra (early-stopped) passes over the tiles. Approximate: statistics of
    // a whole-image pass at tile size; one pass, but the picture can drift from the untiled decode.
    enum class Statistics { Exact, Approximate } statistics = Statistics::Exact;
    // Up blocks run on the whole image before tiling (exact and cheaper than tiles while they fit);
    // -1 = as many as the memory budget allows, leaving at least the last block tiled.
    int wholeImageUpBlocks = -1;
};

// Default blended overlap (latent pixels). Tiles read enough context that, with shared statistics, they
// agree with each other exactly; the small blend only hides rounding differences between tile shapes.
inline constexpr int64_t kDefaultOverlapLatent = 2;

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

// Receptive radius (latent pixels, rounded up) of the up path from up block `firstBlock` on: the context
// each tile reads beyond its edges.
int64_t tileContextLatent(const VAEConfig& config, std::size_t firstBlock = 0);

// Working memory (bytes) of running the mid block and the first `upBlocks` up blocks on a whole h x w
// latent, including their output that the tiles read.
uint64_t estimateWholeImageBytes(const VAEConfig& config, int64_t latentH, int64_t latentW,
                                 std::size_t upBlocks, c10::ScalarType dtype);

// Working memory (bytes) of one tile of `tileLatent` latent pixels (context included by the caller) run
// through the up path from up block `firstBlock` on.
uint64_t estimateTileBytes(const VAEConfig& config, int64_t tileLatent, std::size_t firstBlock,
                           c10::ScalarType dtype);

// Analytic upper estimate of the working memory (bytes) of one untiled decode of a (1, C, h, w) latent:
// the largest set of activations alive at once (a resnet at the widest level, an upsampler, the
// attention's q/k/v/out plus its score chunk). Weights and the returned image are not included.
uint64_t estimateDecodeBytes(const VAEConfig& config, int64_t latentH, int64_t latentW,
                             c10::ScalarType dtype);

// Memory a decode may use on `device`: CUDA: 80 % of the free memory (plus what the caching allocator holds
// free); CPU: 70 % of the memory the machine has available now (running out on the CPU is not an error one
// can catch: the OOM killer ends the process), or kCpuDecodeFallbackBytes where that cannot be read.
uint64_t decodeMemoryBudget(c10::Device device);

// Shared by the decode and encode planners: bytes in GiB for messages, and handing the CUDA caching
// allocator's free blocks back before a retry in tiles (a no-op elsewhere).
double gib(uint64_t bytes);
void releaseCachedMemory(c10::Device device);
// 8 GiB: an untiled fp32 SDXL decode at 1024^2 needs about 5 GiB (measured 4.1 GB RSS growth); 2048^2 (about
// 19 GiB) is tiled.
inline constexpr uint64_t kCpuDecodeFallbackBytes = uint64_t{8} << 30;

// Largest square tile (latent pixels, multiple of 8, 16..256) whose estimate (tile plus context on both
// sides, up path from up block `firstBlock` on) fits in `budgetBytes`.
int64_t chooseTileLatent(const VAEConfig& config, c10::ScalarType dtype, uint64_t budgetBytes,
                         std::size_t firstBlock = 0);

// Most up blocks (at most all but the last) whose whole-image run fits in `budgetBytes`.
int chooseWholeImageUpBlocks(const VAEConfig& config, int64_t latentH, int64_t latentW, c10::ScalarType dtype,
                             uint64_t budgetBytes);

// How a tiled decode of a (batch, C, h, w) latent runs within a memory budget.
struct TiledDecodePlan {
    int wholeImageUpBlocks = 0;
    int64_t tileLatent = 0, overlapLatent = 0;
    uint64_t estimatedBytes = 0; // whole-image part + one tile, for the whole batch
};
// Fixed settings in `options` are kept (whole-image up blocks clamped to all but the last); the others are
// chosen so the estimate fits in `budgetBytes` where possible. Throws InvalidRequest for a tile below 4
// latent pixels, an overlap not smaller than the tile, or whole-image up blocks below -1.
// The automatic choice of whole-image up blocks also keeps their largest activation within
// `maxTensorElements` (indexLimitElements of the device).
TiledDecodePlan planTiledDecode(const VAEConfig& config, int64_t batch, int64_t latentH, int64_t latentW,
                                c10::ScalarType dtype, uint64_t budgetBytes,
                                const TiledDecodeOptions& options,
                                int64_t maxTensorElements = std::numeric_limits<int64_t>::max());

// Most elements one tensor may have on `device` for the VAE's kernels: on CUDA and MPS some kernels (cuDNN
// convolutions with a batch of one, nearest upsampling, GroupNorm on older releases) index with 32-bit
// integers and fail or misbehave beyond INT32_MAX elements, which an untiled 4096^2 decode reaches (512
// channels at 2048^2 after the second up block); the CPU kernels index with 64 bits (no limit).
int64_t indexLimitElements(c10::Device device);
// Elements of the largest activation of an untiled decode of a (batch, C, h, w) latent (upBlocks = all up
// blocks) or of its whole-image part running the first `upBlocks` up blocks.
int64_t largestDecodeActivation(const VAEConfig& config, int64_t batch, int64_t latentH, int64_t latentW,
                                std::size_t upBlocks);
// Elements of the largest activation of an untiled encode of a (batch, C, H, W) image.
int64_t largestEncodeActivation(const VAEConfig& config, int64_t batch, int64_t height, int64_t width);

// Start offsets of tiles of `tile` covering [0, length) with overlaps of at least `overlap`, spread evenly.
std::vector<int64_t> tileStarts(int64_t length, int64_t tile, int64_t overlap);

} // namespace lumina::models
