// Tiled and untiled VAE encoding. Reference for the untiled path: diffusers autoencoder_kl.py
// (AutoencoderKL.encode), vae.py (DiagonalGaussianDistribution.sample) and
// pipeline_stable_diffusion_3_img2img.py (retrieve_latents, then (latents - shift_factor) * scaling_factor).
// The tiling is our own, the mirror of decodeTiled (vae_decode.h): local convolutions per tile with enough
// context, GroupNorm statistics shared by all tiles and made exact by early-stopped passes, the global
// attention of the mid block on the whole latent.
#include "core/models/vae/vae_encode.h"

#include "core/models/vae/tile_spans.h"
#include "core/models/vae/vae_decode.h"
#include "core/models/vae/vae_layers.h"
#include "core/util/errors.h"
#include "core/util/log.h"

#include <ATen/CPUGeneratorImpl.h>
#include <algorithm>
#include <c10/core/CachingDeviceAllocator.h>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

namespace lumina::models {
namespace {

// Allocator rounding and fragmentation (as for the decode estimate).
constexpr double kAllocatorSlack = 1.15;

// Peak activation elements of the down path for a latent of `latentPixels` pixels: conv_in, then per block
// the first resnet (input, GroupNorm and conv temporaries, shortcut) or its downsampler (input, padded copy,
// output at a quarter of the pixels).
double downPathPeakElements(const VAEConfig& config, double latentPixels) {
    const auto& ch = config.blockOutChannels;
    const double f2 = static_cast<double>(config.spatialFactor() * config.spatialFactor());
    const double p0 = latentPixels * f2;
    double peak = (static_cast<double>(config.inChannels) + static_cast<double>(ch.front())) * p0;
    double prev = static_cast<double>(ch.front());
    for (std::size_t i = 0; i < ch.size(); ++i) {
        const double p = p0 / std::pow(4.0, static_cast<double>(i)), c = static_cast<double>(ch[i]);
        peak = std::max(peak, (2.0 * prev + 4.0 * c) * p);
        if (i + 1 < ch.size()) peak = std::max(peak, 2.25 * c * p);
        prev = c;
    }
    return peak;
}

double midPeakBytes(const VAEConfig& config, double latentPixels, c10::ScalarType dtype) {
    const double c = static_cast<double>(config.blockOutChannels.back());
    const double activations = (config.midBlockAddAttention ? 7.0 : 4.0) * c * latentPixels *
                               static_cast<double>(c10::elementSize(dtype)) * kAllocatorSlack;
    const double scores =
        config.midBlockAddAttention
            ? std::min(latentPixels * latentPixels * 4.0, static_cast<double>(kAttentionScoreBudgetBytes))
            : 0.0;
    return activations + scores;
}

} // namespace

int64_t encodeContextLatent(const VAEConfig& config) {
    // Latent pixels per pixel at block i: 2^i / f. conv_in reaches 1 pixel at full resolution; each resnet
    // two 3x3 convolutions at its block's resolution; each downsampler (pad right/bottom, 3x3 stride 2) reads
    // up to 2 pixels beyond its output's footprint.
    const double f = static_cast<double>(config.spatialFactor());
    const std::size_t n = config.blockOutChannels.size();
    double radius = 1.0 / f;
    for (std::size_t i = 0; i < n; ++i) {
        const double step = static_cast<double>(int64_t{1} << i) / f;
        radius += 2.0 * static_cast<double>(config.layersPerBlock) * step;
        if (i + 1 < n) radius += 2.0 * step;
    }
    return static_cast<int64_t>(std::ceil(radius - 1e-9));
}

uint64_t estimateEncodeBytes(const VAEConfig& config, int64_t latentH, int64_t latentW,
                             c10::ScalarType dtype) {
    const double p = static_cast<double>(latentH) * static_cast<double>(latentW);
    const double down =
        downPathPeakElements(config, p) * static_cast<double>(c10::elementSize(dtype)) * kAllocatorSlack;
    return static_cast<uint64_t>(std::max(down, midPeakBytes(config, p, dtype)));
}

uint64_t estimateEncodeTileBytes(const VAEConfig& config, int64_t tileLatent, c10::ScalarType dtype) {
    const double p = static_cast<double>(tileLatent) * static_cast<double>(tileLatent);
    return static_cast<uint64_t>(downPathPeakElements(config, p) *
                                 static_cast<double>(c10::elementSize(dtype)) * kAllocatorSlack);
}

int64_t chooseEncodeTileLatent(const VAEConfig& config, int64_t latentH, int64_t latentW,
                               c10::ScalarType dtype, uint64_t budgetBytes) {
    const double p = static_cast<double>(latentH) * static_cast<double>(latentW);
    // The down path's output for the whole latent stays alive beside the tiles, then feeds the mid block.
    const double whole = static_cast<double>(config.blockOutChannels.back()) * p *
                             static_cast<double>(c10::elementSize(dtype)) +
                         midPeakBytes(config, p, dtype);
    const double left = static_cast<double>(budgetBytes) > whole ? static_cast<double>(budgetBytes) - whole
                                                                 : static_cast<double>(budgetBytes) / 4;
    const int64_t context = 2 * encodeContextLatent(config);
    for (int64_t t = 256; t > 16; t -= 8)
        if (static_cast<double>(estimateEncodeTileBytes(config, t + context, dtype)) <= left) return t;
    return 16;
}

at::Tensor encodeDownTiled(const AutoencoderKLImpl& vae, const at::Tensor& image, int64_t tileLatent) {
    if (tileLatent < 4)
        throw InvalidRequest(
            fmt::format("VAE tiled encode: tile size {} is below 4 latent pixels", tileLatent));
    const auto& config = vae.config();
    const int64_t f = config.spatialFactor();
    if (image.dim() != 4 || image.size(2) % f != 0 || image.size(3) % f != 0)
        throw InvalidRequest(
            fmt::format("VAE tiled encode: image must be (B, C, H, W) with H and W multiples "
                        "of {}, got {}",
                        f, fmt::join(image.sizes(), "x")));
    torch::NoGradGuard noGrad;
    const int64_t h = image.size(2) / f, w = image.size(3) / f, context = encodeContextLatent(config);
    // The tiles' owned regions partition the latent; the overlap only has to leave every tile its own part.
    const int64_t overlap = 0;
    const auto ys = vae::spans(h, tileLatent, overlap, context, f);
    const auto xs = vae::spans(w, tileLatent, overlap, context, f);
    if (ys.size() == 1 && xs.size() == 1) return vae.encodeDown(image);

    vae::GroupNormStats stats;
    vae::GroupNormStatsScope scope(&stats);
    auto runTile = [&](const vae::Span& sy, const vae::Span& sx) {
        stats.beginTile(sy, sx);
        const auto in =
            image.narrow(2, sy.read0 * f, stats.tileH * f).narrow(3, sx.read0 * f, stats.tileW * f);
        return vae.encodeDown(in)
            .narrow(2, stats.ownY0, stats.ownY1 - stats.ownY0)
            .narrow(3, stats.ownX0, stats.ownX1 - stats.ownX0);
    };
    stats.mode = vae::GroupNormStats::Mode::Accumulate;
    const std::size_t calls = vae.downGroupNormCount();
    for (stats.target = 0; stats.target < calls; ++stats.target) {
        for (const auto& sy : ys)
            for (const auto& sx : xs) {
                try {
                    runTile(sy, sx);
                } catch (const vae::GroupNormStats::TargetReached&) {
                    continue;
                }
                throw std::logic_error("VAE tiled encode: a tile ran past the GroupNorm being measured");
            }
        stats.finishAccumulation(vae::kGroupNormEps);
    }
    stats.mode = vae::GroupNormStats::Mode::Replay;
    at::Tensor out;
    for (const auto& sy : ys)
        for (const auto& sx : xs) {
            const auto tile = runTile(sy, sx);
            if (!out.defined()) out = torch::empty({image.size(0), tile.size(1), h, w}, tile.options());
            out.narrow(2, sy.own0, sy.own1 - sy.own0).narrow(3, sx.own0, sx.own1 - sx.own0).copy_(tile);
        }
    return out;
}

std::pair<at::Tensor, at::Tensor> encodeImageMoments(const AutoencoderKLImpl& vae, const at::Tensor& image,
                                                     const TiledEncodeOptions& options) {
    const auto& config = vae.config();
    const int64_t f = config.spatialFactor();
    if (image.dim() != 4 || image.size(1) != config.inChannels || image.size(2) % f != 0 ||
        image.size(3) % f != 0 || image.size(2) == 0 || image.size(3) == 0)
        throw InvalidRequest(fmt::format("VAE encode: image must be (B, {}, H, W) with H and W positive "
                                         "multiples of {}, got {}",
                                         config.inChannels, f, fmt::join(image.sizes(), "x")));
    const auto device = vae.device();
    const auto dtype = vae.dtype();
    torch::NoGradGuard noGrad;
    const auto x = image.to(device, dtype);
    const int64_t b = x.size(0), h = x.size(2) / f, w = x.size(3) / f;
    const uint64_t budget = decodeMemoryBudget(device);
    const uint64_t estimate = estimateEncodeBytes(config, h, w, dtype) * static_cast<uint64_t>(b);
    bool tiled = options.mode == VAETiling::Always;
    if (options.mode == VAETiling::Auto && estimate > budget) {
        log::info("VAE: untiled encode of a {}x{} image needs about {:.2f} GiB, budget {:.2f} GiB on {}: "
                  "encoding in tiles",
                  x.size(3), x.size(2), gib(estimate), gib(budget), device.str());
        tiled = true;
    }
    const int64_t largest = largestEncodeActivation(config, b, x.size(2), x.size(3));
    if (options.mode == VAETiling::Auto && !tiled && largest > indexLimitElements(device)) {
        log::info("VAE: an untiled encode of a {}x{} image has a {}-element activation, beyond what {} "
                  "kernels index: encoding in tiles",
                  x.size(3), x.size(2), largest, device.str());
        tiled = true;
    }
    if (!tiled) {
        try {
            return vae.encode(x);
        } catch (const c10::OutOfMemoryError&) {
            releaseCachedMemory(device);
            if (options.mode == VAETiling::Never)
                throw OutOfMemory(
                    fmt::format("VAE encode of a {}x{} image ran out of memory on {} (tiling is "
                                "off): enable tiling or choose a smaller image",
                                x.size(3), x.size(2), device.str()));
            log::warn("VAE: untiled encode ran out of memory on {}; retrying in tiles", device.str());
        }
    }
    int64_t tile = options.tileLatent > 0
                       ? options.tileLatent
                       : chooseEncodeTileLatent(config, h, w, dtype,
                                                budget / static_cast<uint64_t>(std::max<int64_t>(1, b)));
    while (true) {
        try {
            log::info("VAE: tiled encode of a {}x{} image, tiles of {} latent pixels ({} x {}), context {}",
                      x.size(3), x.size(2), tile, tileStarts(h, tile, 0).size(),
                      tileStarts(w, tile, 0).size(), encodeContextLatent(config));
            return vae.encodeMoments(encodeDownTiled(vae, x, tile));
        } catch (const c10::OutOfMemoryError&) {
            releaseCachedMemory(device);
            if (tile <= 16)
                throw OutOfMemory(fmt::format("VAE encode ran out of memory on {} even with {}-latent tiles: "
                                              "free memory (unload the text encoder) or use the CPU",
                                              device.str(), tile));
            tile = std::max<int64_t>(16, tile / 2);
            log::warn("VAE: tiled encode ran out of memory on {}; retrying with tiles of {}", device.str(),
                      tile);
        }
    }
}

at::Tensor encodeImageToLatents(const AutoencoderKLImpl& vae, const at::Tensor& image,
                                std::optional<at::Generator> generator, const TiledEncodeOptions& options) {
    const auto [mean, logvar] = encodeImageMoments(vae, image, options);
    torch::NoGradGuard noGrad;
    at::Tensor z = mean;
    if (generator) {
        // DiagonalGaussianDistribution: std = exp(0.5 * logvar); randn_tensor draws on the generator's device
        // (the CPU) in the parameters' dtype, then moves the sample.
        const auto std = at::exp(0.5 * logvar);
        const auto eps = at::randn(mean.sizes(), *generator, at::TensorOptions().dtype(mean.scalar_type()))
                             .to(mean.device());
        z = mean + std * eps;
    }
    const auto& config = vae.config();
    if (config.shiftFactor) z = z - *config.shiftFactor;
    return z * config.scalingFactor;
}

} // namespace lumina::models
