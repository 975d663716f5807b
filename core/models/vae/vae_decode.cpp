// Tiled and untiled VAE decoding. Reference for the untiled path: diffusers pipeline_lumina.py (latents /
// scaling_factor, vae.decode) and image_processor.py (denormalize). The tiling is our own: diffusers'
// tiled_decode crops tiles and blends only the seams; here every overlap is blended with linear ramps
// normalized by the summed weights, which also covers tiles spread unevenly to fit the image exactly.
#include "core/models/vae/vae_decode.h"

#include "core/models/vae/tile_spans.h"

#include "core/util/errors.h"
#include "core/util/log.h"
#include "core/util/system_memory.h"

#include <algorithm>
#include <c10/core/CachingDeviceAllocator.h>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

namespace lumina::models {
namespace {

// Weight of each of `length` output pixels of one tile along one axis: rises linearly over the overlap with
// the previous tile, falls over the overlap with the next one, 1 elsewhere. Neighbouring ramps over the same
// overlap sum to 1; the final division by the summed weights handles every other case.
at::Tensor ramp(int64_t length, int64_t rampIn, int64_t rampOut) {
    auto w = torch::ones({length}, torch::kFloat);
    auto* p = w.data_ptr<float>();
    for (int64_t i = 0; i < length; ++i) {
        float v = 1.0f;
        if (rampIn > 0 && i < rampIn)
            v = std::min(v, (static_cast<float>(i) + 0.5f) / static_cast<float>(rampIn));
        const int64_t fromEnd = length - 1 - i;
        if (rampOut > 0 && fromEnd < rampOut)
            v = std::min(v, (static_cast<float>(fromEnd) + 0.5f) / static_cast<float>(rampOut));
        p[i] = v;
    }
    return w;
}

at::Tensor toImage01(const at::Tensor& decoded, c10::ScalarType dtype) {
    // VaeImageProcessor.denormalize, two ops in the VAE dtype as the reference does, then float32 on the CPU.
    // In place on the decoder's own temporary (or its dtype copy): the same values as the out-of-place ops,
    // without two more output-sized buffers (200 MB each for a 4096^2 float image).
    return decoded.to(dtype).mul_(0.5).add_(0.5).clamp_(0, 1).to(c10::kCPU, c10::kFloat).contiguous();
}

} // namespace

double gib(uint64_t bytes) {
    return static_cast<double>(bytes) / static_cast<double>(uint64_t{1} << 30);
}

void releaseCachedMemory(c10::Device device) {
    if (device.is_cuda()) {
        try {
            c10::getDeviceAllocator(c10::kCUDA)->emptyCache();
        } catch (const c10::Error&) {
        }
    }
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
                 c10::ScalarType dtype) {
    double peak = 0;
    for (std::size_t stage = firstStage; stage < endStage; ++stage)
        peak = std::max(peak, stagePeakElements(config, stage, latentPixels));
    return peak * static_cast<double>(c10::elementSize(dtype)) * kAllocatorSlack;
}

double attentionScoreBytes(const VAEConfig& config, double latentPixels) {
    if (!config.midBlockAddAttention) return 0;
    return std::min(latentPixels * latentPixels * 4.0, static_cast<double>(vae::kAttentionScoreBudgetBytes));
}

// The activation the tiles read: the input of up block `firstBlock` for the whole image.
double tiledInputBytes(const VAEConfig& config, double latentPixels, std::size_t firstBlock,
                       c10::ScalarType dtype) {
    const std::vector<int64_t> ch(config.blockOutChannels.rbegin(), config.blockOutChannels.rend());
    const double channels = static_cast<double>(firstBlock ? ch[firstBlock - 1] : ch.front());
    return channels * latentPixels * std::pow(4.0, static_cast<double>(firstBlock)) *
           static_cast<double>(c10::elementSize(dtype));
}

} // namespace

int64_t indexLimitElements(c10::Device device) {
    return device.is_cpu() ? std::numeric_limits<int64_t>::max()
                           : int64_t{std::numeric_limits<int32_t>::max()};
}

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

uint64_t estimateDecodeBytes(const VAEConfig& config, int64_t latentH, int64_t latentW,
                             c10::ScalarType dtype) {
    const double p = static_cast<double>(latentH) * static_cast<double>(latentW);
    const std::size_t stages = config.blockOutChannels.size() + 2;
    return static_cast<uint64_t>(peakBytes(config, 0, stages, p, dtype) + attentionScoreBytes(config, p));
}

uint64_t estimateWholeImageBytes(const VAEConfig& config, int64_t latentH, int64_t latentW,
                                 std::size_t upBlocks, c10::ScalarType dtype) {
    const double p = static_cast<double>(latentH) * static_cast<double>(latentW);
    return static_cast<uint64_t>(peakBytes(config, 0, upBlocks + 1, p, dtype) +
                                 attentionScoreBytes(config, p) +
                                 tiledInputBytes(config, p, upBlocks, dtype));
}

uint64_t estimateTileBytes(const VAEConfig& config, int64_t tileLatent, std::size_t firstBlock,
                           c10::ScalarType dtype) {
    const double p = static_cast<double>(tileLatent) * static_cast<double>(tileLatent);
    const std::size_t stages = config.blockOutChannels.size() + 2;
    return static_cast<uint64_t>(peakBytes(config, firstBlock + 1, stages, p, dtype));
}

uint64_t decodeMemoryBudget(c10::Device device) {
    if (device.is_cuda()) {
        try {
            auto* allocator = c10::getDeviceAllocator(c10::kCUDA);
            const auto index = device.has_index() ? device.index() : c10::DeviceIndex{0};
            const auto [freeBytes, totalBytes] = allocator->getMemoryInfo(index);
            (void)totalBytes;
            const auto stats = allocator->getDeviceStats(index);
            const auto reserved = static_cast<uint64_t>(stats.reserved_bytes[0].current);
            const auto allocated = static_cast<uint64_t>(stats.allocated_bytes[0].current);
            const uint64_t cachedFree = reserved > allocated ? reserved - allocated : 0;
            return static_cast<uint64_t>(0.8 * static_cast<double>(freeBytes + cachedFree));
        } catch (const c10::Error& e) {
            log::warn("VAE: could not query free CUDA memory ({}); assuming 4 GiB",
                      e.what_without_backtrace());
            return uint64_t{4} << 30;
        }
    }
    if (const auto available = availableSystemMemory())
        return static_cast<uint64_t>(0.7 * static_cast<double>(*available));
    return kCpuDecodeFallbackBytes;
}

namespace {

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

} // namespace

int64_t tileContextLatent(const VAEConfig& config, std::size_t firstBlock) {
    return roundUpRadius(upPathRadii(config, firstBlock).back());
}

int64_t chooseTileLatent(const VAEConfig& config, c10::ScalarType dtype, uint64_t budgetBytes,
                         std::size_t firstBlock) {
    const int64_t context = 2 * tileContextLatent(config, firstBlock);
    for (int64_t t = 256; t > 16; t -= 8)
        if (estimateTileBytes(config, t + context, firstBlock, dtype) <= budgetBytes) return t;
    return 16;
}

int chooseWholeImageUpBlocks(const VAEConfig& config, int64_t latentH, int64_t latentW, c10::ScalarType dtype,
                             uint64_t budgetBytes) {
    // Half the budget at most, so that tiles of a useful size fit beside the activation they read.
    for (std::size_t n = config.blockOutChannels.size() - 1; n > 0; --n)
        if (estimateWholeImageBytes(config, latentH, latentW, n, dtype) <= budgetBytes / 2)
            return static_cast<int>(n);
    return 0;
}

at::Tensor decodeTiled(const AutoencoderKLImpl& vae, const at::Tensor& z, int64_t tileLatent,
                       int64_t overlapLatent, TiledDecodeOptions::Statistics statistics,
                       int wholeImageUpBlocks) {
    if (tileLatent < 4)
        throw InvalidRequest(
            fmt::format("VAE tiled decode: tile size {} is below 4 latent pixels", tileLatent));
    if (overlapLatent < 0 || overlapLatent >= tileLatent)
        throw InvalidRequest(fmt::format("VAE tiled decode: overlap {} must be in [0, tile size {})",
                                         overlapLatent, tileLatent));
    torch::NoGradGuard noGrad;
    const auto& config = vae.config();
    const auto firstBlock = static_cast<std::size_t>(
        std::clamp<int64_t>(wholeImageUpBlocks, 0, static_cast<int64_t>(vae.upBlockCount()) - 1));
    const int64_t f = config.spatialFactor(), context = tileContextLatent(config, firstBlock);
    const int64_t s = int64_t{1} << firstBlock; // resolution of the tiled part's input per latent pixel
    const int64_t h = z.size(2), w = z.size(3);
    // Whole-image part first: exact, and the attention stays global.
    auto input = vae.decodeMid(z);
    if (firstBlock > 0) input = vae.decodeUpBlocks(input, 0, firstBlock);
    const auto ys = vae::spans(h, tileLatent, overlapLatent, context, f);
    const auto xs = vae::spans(w, tileLatent, overlapLatent, context, f);
    if (ys.size() == 1 && xs.size() == 1) return vae.decodeUp(input, firstBlock).to(torch::kFloat);

    vae::GroupNormStats stats;
    vae::GroupNormStatsScope scope(&stats);
    auto runTile = [&](const vae::Span& sy, const vae::Span& sx) {
        stats.beginTile(sy, sx);
        const auto in =
            input.narrow(2, sy.read0 * s, stats.tileH * s).narrow(3, sx.read0 * s, stats.tileW * s);
        return vae.decodeUp(in, firstBlock)
            .narrow(2, (sy.start - sy.read0) * f, sy.len * f)
            .narrow(3, (sx.start - sx.read0) * f, sx.len * f);
    };
    if (statistics == TiledDecodeOptions::Statistics::Approximate) {
        // The whole image at about tile size, with its own statistics.
        const double scale =
            std::min(1.0, static_cast<double>(tileLatent) / static_cast<double>(std::max(h, w)));
        const int64_t dh = std::max<int64_t>(1, std::llround(static_cast<double>(h) * scale));
        const int64_t dw = std::max<int64_t>(1, std::llround(static_cast<double>(w) * scale));
        // MPS pools only when the sizes divide: pool on the CPU there.
        const auto small = at::adaptive_avg_pool2d((input.is_mps() ? input.cpu() : input).to(torch::kFloat),
                                                   {dh * s, dw * s})
                               .to(input.device(), input.scalar_type());
        stats.mode = vae::GroupNormStats::Mode::Record;
        stats.next = 0;
        vae.decodeUp(small, firstBlock);
    } else {
        stats.mode = vae::GroupNormStats::Mode::Accumulate;
        const auto radii = upPathRadii(config, firstBlock);
        const std::size_t calls = vae.upGroupNormCount(firstBlock);
        if (calls + 1 != radii.size())
            throw std::logic_error("VAE tiled decode: GroupNorm count and receptive radii disagree");
        for (stats.target = 0; stats.target < calls; ++stats.target) {
            // A pass stops at its GroupNorm, so tiles only need the context of the layers before it.
            const int64_t passContext = roundUpRadius(radii[stats.target]);
            for (const auto& sy : vae::spans(h, tileLatent, overlapLatent, passContext, f))
                for (const auto& sx : vae::spans(w, tileLatent, overlapLatent, passContext, f)) {
                    try {
                        runTile(sy, sx);
                    } catch (const vae::GroupNormStats::TargetReached&) {
                        continue;
                    }
                    throw std::logic_error("VAE tiled decode: a tile ran past the GroupNorm being measured");
                }
            stats.finishAccumulation(vae::kGroupNormEps);
        }
    }
    stats.mode = vae::GroupNormStats::Mode::Replay;
    const auto fopts = torch::TensorOptions().dtype(torch::kFloat).device(z.device());
    auto out = torch::zeros({z.size(0), config.outChannels, h * f, w * f}, fopts);
    auto weightSum = torch::zeros({h * f, w * f}, fopts);
    for (const auto& sy : ys) {
        const auto wy = ramp(sy.len * f, sy.rampIn, sy.rampOut).to(z.device());
        for (const auto& sx : xs) {
            const auto wx = ramp(sx.len * f, sx.rampIn, sx.rampOut).to(z.device());
            const auto weight = wy.unsqueeze(1) * wx.unsqueeze(0);
            auto tile = runTile(sy, sx).to(torch::kFloat);
            out.narrow(2, sy.start * f, sy.len * f)
                .narrow(3, sx.start * f, sx.len * f)
                .add_(tile.mul_(weight));
            weightSum.narrow(0, sy.start * f, sy.len * f).narrow(1, sx.start * f, sx.len * f).add_(weight);
        }
    }
    return out.div_(weightSum);
}

at::Tensor decodeLatentsToImage(const AutoencoderKLImpl& vae, const at::Tensor& latents,
                                const TiledDecodeOptions& options) {
    const auto& config = vae.config();
    if (latents.dim() != 4 || latents.size(1) != config.latentChannels)
        throw InvalidRequest(fmt::format("VAE decode: latents must be (B, {}, h, w), got {}",
                                         config.latentChannels, fmt::join(latents.sizes(), "x")));
    const auto dtype = vae.dtype();
    const auto device = vae.device();
    torch::NoGradGuard noGrad;
    // Same ops as the reference: division by the Python scalar in the latent dtype, then the VAE's dtype.
    auto z = latents.to(device) / config.scalingFactor;
    if (config.shiftFactor) z = z + *config.shiftFactor;
    z = z.to(dtype);
    const int64_t b = z.size(0), h = z.size(2), w = z.size(3);

    const uint64_t budget = decodeMemoryBudget(device);
    const uint64_t estimate = estimateDecodeBytes(config, h, w, dtype) * static_cast<uint64_t>(b);
    const int64_t indexLimit = indexLimitElements(device);
    bool tiled = options.mode == VAETiling::Always;
    if (options.mode == VAETiling::Auto && estimate > budget) {
        log::info("VAE: untiled decode of {}x{} latents needs about {:.2f} GiB, budget {:.2f} GiB on {}: "
                  "decoding in tiles",
                  h, w, gib(estimate), gib(budget), device.str());
        tiled = true;
    }
    const int64_t largest = largestDecodeActivation(config, b, h, w, config.blockOutChannels.size());
    if (options.mode == VAETiling::Auto && !tiled && largest > indexLimit) {
        log::info("VAE: an untiled decode of {}x{} latents has a {}-element activation, beyond what {} "
                  "kernels index: decoding in tiles",
                  h, w, largest, device.str());
        tiled = true;
    }
    if (options.mode == VAETiling::Never && largest > indexLimit)
        log::warn("VAE: tiling is off, but the untiled decode of {}x{} latents has a {}-element activation "
                  "(more than {} kernels may index); turn tiling to auto if the decode fails",
                  h, w, largest, device.str());
    if (!tiled) {
        try {
            return toImage01(vae.decode(z), dtype);
        } catch (const c10::OutOfMemoryError& e) {
            releaseCachedMemory(device);
            if (options.mode == VAETiling::Never)
                throw OutOfMemory(
                    fmt::format("VAE decode of {}x{} latents ran out of memory on {} (tiling is off): "
                                "enable tiled decoding or choose a smaller image",
                                h, w, device.str()));
            log::warn("VAE: untiled decode ran out of memory on {}; retrying in tiles", device.str());
        }
    }
    auto plan = planTiledDecode(config, b, h, w, dtype, budget, options, indexLimit);
    while (true) {
        try {
            log::info("VAE: tiled decode of {}x{} latents, {} up block(s) whole, tiles {} overlap {} (latent "
                      "pixels), {} x {} tiles, {} statistics, about {:.2f} GiB",
                      h, w, plan.wholeImageUpBlocks, plan.tileLatent, plan.overlapLatent,
                      tileStarts(h, plan.tileLatent, plan.overlapLatent).size(),
                      tileStarts(w, plan.tileLatent, plan.overlapLatent).size(),
                      options.statistics == TiledDecodeOptions::Statistics::Exact ? "exact" : "approximate",
                      gib(plan.estimatedBytes));
            return toImage01(decodeTiled(vae, z, plan.tileLatent, plan.overlapLatent, options.statistics,
                                         plan.wholeImageUpBlocks),
                             dtype);
        } catch (const c10::OutOfMemoryError&) {
            releaseCachedMemory(device);
            if (plan.wholeImageUpBlocks == 0 && plan.tileLatent <= 16)
                throw OutOfMemory(
                    fmt::format("VAE decode ran out of memory on {} even with {}-latent tiles: free "
                                "memory (unload the text encoder) or decode on the CPU",
                                device.str(), plan.tileLatent));
            auto smaller = options;
            smaller.wholeImageUpBlocks = std::max(0, plan.wholeImageUpBlocks - 1);
            smaller.tileLatent =
                plan.wholeImageUpBlocks > 0 ? plan.tileLatent : std::max<int64_t>(16, plan.tileLatent / 2);
            smaller.overlapLatent = std::min(smaller.overlapLatent, smaller.tileLatent - 1);
            plan = planTiledDecode(config, b, h, w, dtype, budget, smaller, indexLimit);
            log::warn("VAE: tiled decode ran out of memory on {}; retrying with {} whole up block(s) and "
                      "tiles of {}",
                      device.str(), plan.wholeImageUpBlocks, plan.tileLatent);
        }
    }
}

TiledDecodePlan planTiledDecode(const VAEConfig& config, int64_t batch, int64_t latentH, int64_t latentW,
                                c10::ScalarType dtype, uint64_t budgetBytes,
                                const TiledDecodeOptions& options, int64_t maxTensorElements) {
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
    plan.wholeImageUpBlocks = options.wholeImageUpBlocks >= 0
                                  ? std::min(options.wholeImageUpBlocks, lastBlock)
                                  : chooseWholeImageUpBlocks(config, latentH, latentW, dtype, perImage);
    while (options.wholeImageUpBlocks < 0 && plan.wholeImageUpBlocks > 0 &&
           largestDecodeActivation(config, batch, latentH, latentW,
                                   static_cast<std::size_t>(plan.wholeImageUpBlocks)) > maxTensorElements)
        --plan.wholeImageUpBlocks;
    const auto firstBlock = static_cast<std::size_t>(plan.wholeImageUpBlocks);
    const uint64_t wholeBytes = estimateWholeImageBytes(config, latentH, latentW, firstBlock, dtype);
    plan.tileLatent =
        options.tileLatent > 0
            ? options.tileLatent
            : chooseTileLatent(config, dtype, perImage > wholeBytes ? perImage - wholeBytes : perImage / 4,
                               firstBlock);
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
    plan.estimatedBytes = (wholeBytes + estimateTileBytes(config, read, firstBlock, dtype)) *
                          static_cast<uint64_t>(std::max<int64_t>(1, batch));
    return plan;
}

} // namespace lumina::models
