#pragma once
// Memory estimates and tiling plans of the VAE decode, without LibTorch (docs/bench-vae.md): shared by the
// decode (vae_decode.h), the pipeline's memory plan and the studio's pre-run estimate. Sizes are in bytes per
// element of the VAE's dtype (4: fp32, 2: bf16/fp16).
#include "core/models/vae/vae_config.h"
#include "core/vocabulary/choices.h"

#include <cstdint>
#include <limits>
#include <vector>

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
    // What the decode may use (bytes); 0: decodeMemoryBudget(device). The memory plan passes what the
    // user's limit leaves after the resident weights.
    uint64_t budgetBytes = 0;
};

// Default blended overlap (latent pixels). Tiles read enough context that, with shared statistics, they
// agree with each other exactly; the small blend only hides rounding differences between tile shapes.
inline constexpr int64_t kDefaultOverlapLatent = 2;

// Analytic upper estimate of the working memory (bytes) of one untiled decode of a (1, C, h, w) latent:
// the largest set of activations alive at once (a resnet at the widest level, an upsampler, the
// attention's q/k/v/out plus its score chunk). Weights and the returned image are not included.
uint64_t estimateDecodeBytes(const VAEConfig& config, int64_t latentH, int64_t latentW, int elementBytes);

// Receptive radius (latent pixels, rounded up) of the up path from up block `firstBlock` on: the context
// each tile reads beyond its edges.
int64_t tileContextLatent(const VAEConfig& config, std::size_t firstBlock = 0);

// Working memory (bytes) of running the mid block and the first `upBlocks` up blocks on a whole h x w
// latent, including their output that the tiles read.
uint64_t estimateWholeImageBytes(const VAEConfig& config, int64_t latentH, int64_t latentW,
                                 std::size_t upBlocks, int elementBytes);

// Working memory (bytes) of one tile of `tileLatent` latent pixels (context included by the caller) run
// through the up path from up block `firstBlock` on.
uint64_t estimateTileBytes(const VAEConfig& config, int64_t tileLatent, std::size_t firstBlock,
                           int elementBytes);

// Receptive radii of the up path from up block `firstBlock` on (latent pixels, unrounded) at the input of
// each GroupNorm call in call order, then at the output; and the rounding the tiles use.
std::vector<double> upPathRadii(const VAEConfig& config, std::size_t firstBlock);
int64_t roundUpRadius(double radius);

// Largest square tile (latent pixels, multiple of 8, 16..256) whose estimate (tile plus context on both
// sides, up path from up block `firstBlock` on) fits in `budgetBytes`.
int64_t chooseTileLatent(const VAEConfig& config, int elementBytes, uint64_t budgetBytes,
                         std::size_t firstBlock = 0);

// Most up blocks (at most all but the last) whose whole-image run fits in `budgetBytes`.
int chooseWholeImageUpBlocks(const VAEConfig& config, int64_t latentH, int64_t latentW, int elementBytes,
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
                                int elementBytes, uint64_t budgetBytes, const TiledDecodeOptions& options,
                                int64_t maxTensorElements = std::numeric_limits<int64_t>::max());

// Elements of the largest activation of an untiled decode of a (batch, C, h, w) latent (upBlocks = all up
// blocks) or of its whole-image part running the first `upBlocks` up blocks.
int64_t largestDecodeActivation(const VAEConfig& config, int64_t batch, int64_t latentH, int64_t latentW,
                                std::size_t upBlocks);
// Elements of the largest activation of an untiled encode of a (batch, C, H, W) image.
int64_t largestEncodeActivation(const VAEConfig& config, int64_t batch, int64_t height, int64_t width);

// Start offsets of tiles of `tile` covering [0, length) with overlaps of at least `overlap`, spread evenly.
std::vector<int64_t> tileStarts(int64_t length, int64_t tile, int64_t overlap);

// Bytes in GiB, for messages.
double gib(uint64_t bytes);

// Largest score matrix (bytes, counted in fp32) one attention call may materialize; longer query sets are
// split into row chunks. At 1024^2 (16384 positions) the full matrix would be 1 GiB per image.
inline constexpr uint64_t kAttentionScoreBudgetBytes = uint64_t{256} << 20;

// 8 GiB: an untiled fp32 SDXL decode at 1024^2 needs about 5 GiB (measured 4.1 GB RSS growth); 2048^2 (about
// 19 GiB) is tiled.
inline constexpr uint64_t kCpuDecodeFallbackBytes = uint64_t{8} << 30;

} // namespace lumina::models
