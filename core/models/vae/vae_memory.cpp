// Memory estimates and tiling plans of the VAE decode, without LibTorch: the decode itself
// (vae_decode.cpp), the pipeline's memory plan and the studio's pre-run estimate use the same figures.
#include "core/models/vae/vae_memory.h"

#include "core/util/errors.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace lumina::models {

double gib(uint64_t bytes) {
    return static_cast<double>(bytes) / static_cast<double>(uint64_t{1} << 30);
}

std::vector<int64_t> tileStarts(int64_t length, int64_t tile, int64_t overlap) {
    if (length <= tile) return {0};
    const int64_t stride = tile - overlap;
    const int64_t n = (length - overlap + stride - 1) / stride;
    std::vector<int64_t> starts(static_cast<std::size_t>(n));
    for (int64_t k = 0; k < n; ++k)
        starts[static_cast<std::size_t>(k)] = static_cast<int64_t>(
            std::llround(static_cast<double>(k * (length - tile)) / static_cast<double>(n - 1)));
    return starts;
}

namespace {

// Decoder stages in execution order: 0 = conv_in + mid block, 1..L = up block i-1 (with its upsampler),
// L+1 = conv_norm_out + conv_out. Peak activation elements alive at once in `stage` for a latent of
// `latentPixels` pixels (activations at the stage's own resolution).
double stagePeakElements(const VAEConfig& config, std::size_t stage, double latentPixels) {
    const std::vector<int64_t> ch(config.blockOutChannels.rbegin(), config.blockOutChannels.rend());
    const std::size_t levels = ch.size();
    if (stage == 0) {
        // A resnet (x, GroupNorm/conv temporaries: about 4 activations) and the attention (x, normed tokens,
        // q, k, v, output, projection: about 7 activations).
        return (config.midBlockAddAttention ? 7.0 : 4.0) * static_cast<double>(ch.front()) * latentPixels;
    }
    if (stage <= levels) {
        const std::size_t i = stage - 1;
        const double p = latentPixels * std::pow(4.0, static_cast<double>(i));
        const double prev = static_cast<double>(i ? ch[i - 1] : ch.front()), c = static_cast<double>(ch[i]);
        // First resnet: input (prev channels) + GroupNorm output + conv output + second GroupNorm + conv2
        // output + shortcut. Upsampler: input at p, nearest x2 copy and conv output at 4p.
        return std::max((2.0 * prev + 4.0 * c) * p, i + 1 < levels ? 9.0 * c * p : 0.0);
    }
    const double p = latentPixels * std::pow(4.0, static_cast<double>(levels - 1));
    return (2.0 * static_cast<double>(ch.back()) + static_cast<double>(config.outChannels)) * p;
}

// Allocator rounding and fragmentation.
constexpr double kAllocatorSlack = 1.15;

double peakBytes(const VAEConfig& config, std::size_t firstStage, std::size_t endStage, double latentPixels,
                 int elementBytes) {
    double peak = 0;
    for (std::size_t stage = firstStage; stage < endStage; ++stage)
        peak = std::max(peak, stagePeakElements(config, stage, latentPixels));
    return peak * static_cast<double>(elementBytes) * kAllocatorSlack;
}

double attentionScoreBytes(const VAEConfig& config, double latentPixels) {
    if (!config.midBlockAddAttention) return 0;
    return std::min(latentPixels * latentPixels * 4.0, static_cast<double>(kAttentionScoreBudgetBytes));
}

// The activation the tiles read: the input of up block `firstBlock` for the whole image.
double tiledInputBytes(const VAEConfig& config, double latentPixels, std::size_t firstBlock,
                       int elementBytes) {
    const std::vector<int64_t> ch(config.blockOutChannels.rbegin(), config.blockOutChannels.rend());
    const double channels = static_cast<double>(firstBlock ? ch[firstBlock - 1] : ch.front());
    return channels * latentPixels * std::pow(4.0, static_cast<double>(firstBlock)) *
           static_cast<double>(elementBytes);
}

} // namespace

int64_t largestDecodeActivation(const VAEConfig& config, int64_t batch, int64_t latentH, int64_t latentW,
                                std::size_t upBlocks) {
    const std::vector<int64_t> ch(config.blockOutChannels.rbegin(), config.blockOutChannels.rend());
    const std::size_t levels = ch.size();
    const int64_t p = batch * latentH * latentW;
    int64_t largest = std::max<int64_t>(ch.front(), config.latentChannels) * p; // conv_in and the mid block
    for (std::size_t i = 0; i < std::min(upBlocks, levels); ++i) {
        const int64_t here = p << (2 * i);
        const int64_t in = i ? ch[i - 1] : ch.front();
        largest = std::max(largest, std::max(in, ch[i]) * here);
        if (i + 1 < levels) largest = std::max(largest, ch[i] * (here << 2)); // the upsampler's output
    }
    if (upBlocks >= levels) largest = std::max(largest, ch.back() * (p << (2 * (levels - 1))));
    return largest;
}

int64_t largestEncodeActivation(const VAEConfig& config, int64_t batch, int64_t height, int64_t width) {
    // Down block i runs at full resolution / 4^i with blockOutChannels[i] channels (its first resnet reads
    // the previous width); the deepest level is no larger.
    int64_t largest = 0, prev = config.blockOutChannels.front();
    for (std::size_t i = 0; i < config.blockOutChannels.size(); ++i) {
        const int64_t pixels = (batch * height * width) >> (2 * i);
        largest = std::max(largest, std::max(prev, config.blockOutChannels[i]) * pixels);
        prev = config.blockOutChannels[i];
    }
    return largest;
}

uint64_t estimateDecodeBytes(const VAEConfig& config, int64_t latentH, int64_t latentW, int elementBytes) {
    const double p = static_cast<double>(latentH) * static_cast<double>(latentW);
    const std::size_t stages = config.blockOutChannels.size() + 2;
    return static_cast<uint64_t>(peakBytes(config, 0, stages, p, elementBytes) +
                                 attentionScoreBytes(config, p));
}

uint64_t estimateWholeImageBytes(const VAEConfig& config, int64_t latentH, int64_t latentW,
                                 std::size_t upBlocks, int elementBytes) {
    const double p = static_cast<double>(latentH) * static_cast<double>(latentW);
    return static_cast<uint64_t>(peakBytes(config, 0, upBlocks + 1, p, elementBytes) +
                                 attentionScoreBytes(config, p) +
                                 tiledInputBytes(config, p, upBlocks, elementBytes));
}

uint64_t estimateTileBytes(const VAEConfig& config, int64_t tileLatent, std::size_t firstBlock,
                           int elementBytes) {
    const double p = static_cast<double>(tileLatent) * static_cast<double>(tileLatent);
    const std::size_t stages = config.blockOutChannels.size() + 2;
    return static_cast<uint64_t>(peakBytes(config, firstBlock + 1, stages, p, elementBytes));
}

// Receptive radius (latent pixels, unrounded) of the up path from up block `firstBlock` on, measured at the
// input of each GroupNorm call (in call order) and, last, at the output. Each 3x3 conv reaches one pixel
// further at its own resolution; nearest upsampling and 1x1 shortcuts reach none.
std::vector<double> upPathRadii(const VAEConfig& config, std::size_t firstBlock) {
    const std::size_t n = config.blockOutChannels.size();
    std::vector<double> radii;
    double radius = 0;
    for (std::size_t i = firstBlock; i < n; ++i) {
        const double step = 1.0 / static_cast<double>(int64_t{1} << i);
        for (int64_t r = 0; r < config.layersPerBlock + 1; ++r)
            for (int conv = 0; conv < 2; ++conv) { // norm1 -> conv1, norm2 -> conv2
                radii.push_back(radius);
                radius += step;
            }
        if (i + 1 < n) radius += step / 2; // upsampler conv at twice the resolution
    }
    radii.push_back(radius);                                    // conv_norm_out
    radius += 1.0 / static_cast<double>(int64_t{1} << (n - 1)); // conv_out
    radii.push_back(radius);
    return radii;
}

int64_t roundUpRadius(double radius) {
    return static_cast<int64_t>(std::ceil(radius - 1e-9));
}

int64_t tileContextLatent(const VAEConfig& config, std::size_t firstBlock) {
    return roundUpRadius(upPathRadii(config, firstBlock).back());
}

int64_t chooseTileLatent(const VAEConfig& config, int elementBytes, uint64_t budgetBytes,
                         std::size_t firstBlock) {
    const int64_t context = 2 * tileContextLatent(config, firstBlock);
    for (int64_t t = 256; t > 16; t -= 8)
        if (estimateTileBytes(config, t + context, firstBlock, elementBytes) <= budgetBytes) return t;
    return 16;
}

int chooseWholeImageUpBlocks(const VAEConfig& config, int64_t latentH, int64_t latentW, int elementBytes,
                             uint64_t budgetBytes) {
    // Half the budget at most, so that tiles of a useful size fit beside the activation they read.
    for (std::size_t n = config.blockOutChannels.size() - 1; n > 0; --n)
        if (estimateWholeImageBytes(config, latentH, latentW, n, elementBytes) <= budgetBytes / 2)
            return static_cast<int>(n);
    return 0;
}

TiledDecodePlan planTiledDecode(const VAEConfig& config, int64_t batch, int64_t latentH, int64_t latentW,
                                int elementBytes, uint64_t budgetBytes, const TiledDecodeOptions& options,
                                int64_t maxTensorElements) {
    const int lastBlock = static_cast<int>(config.blockOutChannels.size()) - 1;
    if (options.wholeImageUpBlocks < -1)
        throw InvalidRequest(
            fmt::format("VAE tiled decode: whole-image up blocks must be -1 (automatic) or 0..{}, not {}",
                        lastBlock, options.wholeImageUpBlocks));
    if (options.tileLatent < 0 || (options.tileLatent > 0 && options.tileLatent < 4))
        throw InvalidRequest(fmt::format(
            "VAE tiled decode: tile size must be 0 (automatic) or at least 4 latent pixels, not {}",
            options.tileLatent));
    const uint64_t perImage = budgetBytes / static_cast<uint64_t>(std::max<int64_t>(1, batch));
    TiledDecodePlan plan;
    plan.wholeImageUpBlocks =
        options.wholeImageUpBlocks >= 0
            ? std::min(options.wholeImageUpBlocks, lastBlock)
            : chooseWholeImageUpBlocks(config, latentH, latentW, elementBytes, perImage);
    while (options.wholeImageUpBlocks < 0 && plan.wholeImageUpBlocks > 0 &&
           largestDecodeActivation(config, batch, latentH, latentW,
                                   static_cast<std::size_t>(plan.wholeImageUpBlocks)) > maxTensorElements)
        --plan.wholeImageUpBlocks;
    const auto firstBlock = static_cast<std::size_t>(plan.wholeImageUpBlocks);
    const uint64_t wholeBytes = estimateWholeImageBytes(config, latentH, latentW, firstBlock, elementBytes);
    plan.tileLatent =
        options.tileLatent > 0
            ? options.tileLatent
            : chooseTileLatent(config, elementBytes,
                               perImage > wholeBytes ? perImage - wholeBytes : perImage / 4, firstBlock);
    if (options.overlapLatent >= plan.tileLatent)
        throw InvalidRequest(
            fmt::format("VAE tiled decode: overlap {} must be smaller than the tile ({} latent "
                        "pixels)",
                        options.overlapLatent, plan.tileLatent));
    plan.overlapLatent = options.overlapLatent >= 0 ? options.overlapLatent
                                                    : std::min(kDefaultOverlapLatent, plan.tileLatent - 1);
    // A tile is never larger than the image it covers.
    const int64_t edge = std::min(plan.tileLatent, std::max(latentH, latentW));
    const int64_t read = edge + 2 * tileContextLatent(config, firstBlock);
    plan.estimatedBytes = (wholeBytes + estimateTileBytes(config, read, firstBlock, elementBytes)) *
                          static_cast<uint64_t>(std::max<int64_t>(1, batch));
    return plan;
}

} // namespace lumina::models
