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

void releaseCachedMemory(c10::Device device) {
    if (device.is_cuda()) {
        try {
            c10::getDeviceAllocator(c10::kCUDA)->emptyCache();
        } catch (const c10::Error&) {
        }
    }
}

int64_t indexLimitElements(c10::Device device) {
    return device.is_cpu() ? std::numeric_limits<int64_t>::max()
                           : int64_t{std::numeric_limits<int32_t>::max()};
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

    const uint64_t budget = options.budgetBytes > 0 ? options.budgetBytes : decodeMemoryBudget(device);
    const int elementBytes = static_cast<int>(c10::elementSize(dtype));
    const uint64_t estimate = estimateDecodeBytes(config, h, w, elementBytes) * static_cast<uint64_t>(b);
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
    auto plan = planTiledDecode(config, b, h, w, elementBytes, budget, options, indexLimit);
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
            plan = planTiledDecode(config, b, h, w, elementBytes, budget, smaller, indexLimit);
            log::warn("VAE: tiled decode ran out of memory on {}; retrying with {} whole up block(s) and "
                      "tiles of {}",
                      device.str(), plan.wholeImageUpBlocks, plan.tileLatent);
        }
    }
}

} // namespace lumina::models
