// Tiled and untiled VAE decoding. Reference for the untiled path: diffusers pipeline_lumina.py (latents /
// scaling_factor, vae.decode) and image_processor.py (denormalize). The tiling is our own: diffusers'
// tiled_decode crops tiles and blends only the seams; here every overlap is blended with linear ramps
// normalized by the summed weights, which also covers tiles spread unevenly to fit the image exactly.
#include "core/models/vae/vae_decode.h"

#include "core/util/errors.h"
#include "core/util/log.h"

#include <algorithm>
#include <c10/core/CachingDeviceAllocator.h>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

namespace lumina::models {
namespace {

double gib(uint64_t bytes) {
    return static_cast<double>(bytes) / static_cast<double>(uint64_t{1} << 30);
}

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

void releaseCachedMemory(c10::Device device) {
    if (device.is_cuda()) {
        try {
            c10::getDeviceAllocator(c10::kCUDA)->emptyCache();
        } catch (const c10::Error&) {
        }
    }
}

at::Tensor toImage01(const at::Tensor& decoded, c10::ScalarType dtype) {
    // VaeImageProcessor.denormalize, two ops in the VAE dtype as the reference does, then float32 on the CPU.
    return (decoded.to(dtype) * 0.5 + 0.5).clamp(0, 1).to(c10::kCPU, c10::kFloat).contiguous();
}

} // namespace

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

uint64_t estimateDecodeBytes(const VAEConfig& config, int64_t latentH, int64_t latentW,
                             c10::ScalarType dtype) {
    const std::vector<int64_t> ch(config.blockOutChannels.rbegin(), config.blockOutChannels.rend());
    const double elem = static_cast<double>(c10::elementSize(dtype));
    double p = static_cast<double>(latentH) * static_cast<double>(latentW);
    // Elements alive at once, per stage; the largest stage sets the peak.
    double peak = 0;
    // Mid block: a resnet (x, GroupNorm/conv temporaries: about 4 activations) and the attention (x, normed
    // tokens, q, k, v, output, projection: about 7 activations).
    peak = std::max(peak, (config.midBlockAddAttention ? 7.0 : 4.0) * static_cast<double>(ch.front()) * p);
    int64_t prev = ch.front();
    for (std::size_t i = 0; i < ch.size(); ++i) {
        // First resnet of the block: input (prev channels) + GroupNorm output + conv output + second
        // GroupNorm + conv2 output + shortcut.
        peak = std::max(peak, (2.0 * static_cast<double>(prev) + 4.0 * static_cast<double>(ch[i])) * p);
        if (i + 1 < ch.size()) {
            // Upsampler: input at p, nearest x2 copy and conv output at 4p.
            peak = std::max(peak, 9.0 * static_cast<double>(ch[i]) * p);
            p *= 4;
        }
        prev = ch[i];
    }
    // conv_norm_out + conv_out at full resolution.
    peak =
        std::max(peak, (2.0 * static_cast<double>(ch.back()) + static_cast<double>(config.outChannels)) * p);
    double bytes = peak * elem * 1.15; // allocator rounding and fragmentation
    if (config.midBlockAddAttention) {
        const double n = static_cast<double>(latentH) * static_cast<double>(latentW);
        bytes += std::min(n * n * 4.0, static_cast<double>(vae::kAttentionScoreBudgetBytes));
    }
    return static_cast<uint64_t>(bytes);
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
    return kCpuDecodeBudgetBytes;
}

int64_t tileContextLatent(const VAEConfig& config) {
    // Each 3x3 conv reaches one pixel further at its own resolution; nearest upsampling reaches none.
    const std::size_t n = config.blockOutChannels.size();
    double radius = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double scale = static_cast<double>(int64_t{1} << i);
        radius += 2.0 * static_cast<double>(config.layersPerBlock + 1) / scale; // two convs per resnet
        radius += (i + 1 < n) ? 1.0 / (2.0 * scale) : 1.0 / scale;              // upsampler conv / conv_out
    }
    return static_cast<int64_t>(std::ceil(radius - 1e-9));
}

uint64_t estimateMidBlockBytes(const VAEConfig& config, int64_t latentH, int64_t latentW,
                               c10::ScalarType dtype) {
    const double n = static_cast<double>(latentH) * static_cast<double>(latentW);
    double bytes = (config.midBlockAddAttention ? 8.0 : 5.0) *
                   static_cast<double>(config.blockOutChannels.back()) * n *
                   static_cast<double>(c10::elementSize(dtype));
    if (config.midBlockAddAttention)
        bytes += std::min(n * n * 4.0, static_cast<double>(vae::kAttentionScoreBudgetBytes));
    return static_cast<uint64_t>(bytes * 1.15);
}

int64_t chooseTileLatent(const VAEConfig& config, c10::ScalarType dtype, uint64_t budgetBytes) {
    const int64_t context = 2 * tileContextLatent(config);
    for (int64_t t = 256; t > 16; t -= 8)
        if (estimateDecodeBytes(config, t + context, t + context, dtype) <= budgetBytes) return t;
    return 16;
}

namespace {

// One tile along one axis (latent pixels): its extent, the region it reads (with context), the region it
// owns for the GroupNorm sums (overlaps split in the middle), and its blend ramps (output pixels).
struct Span {
    int64_t start, len, read0, read1, own0, own1, rampIn, rampOut;
};

std::vector<Span> spans(int64_t length, int64_t tile, int64_t overlap, int64_t context, int64_t f) {
    const auto starts = tileStarts(length, tile, overlap);
    std::vector<Span> out;
    for (std::size_t i = 0; i < starts.size(); ++i) {
        Span s{};
        s.start = starts[i];
        s.len = std::min(tile, length - s.start);
        s.read0 = std::max<int64_t>(0, s.start - context);
        s.read1 = std::min(length, s.start + s.len + context);
        const int64_t prevEnd = i > 0 ? starts[i - 1] + tile : 0;
        const int64_t nextStart = i + 1 < starts.size() ? starts[i + 1] : length;
        s.own0 = i > 0 ? (s.start + prevEnd) / 2 : 0;
        s.own1 = i + 1 < starts.size() ? (nextStart + s.start + s.len) / 2 : length;
        s.rampIn = i > 0 ? (prevEnd - s.start) * f : 0;
        s.rampOut = i + 1 < starts.size() ? (s.start + s.len - nextStart) * f : 0;
        out.push_back(s);
    }
    return out;
}

} // namespace

at::Tensor decodeTiled(const AutoencoderKLImpl& vae, const at::Tensor& z, int64_t tileLatent,
                       int64_t overlapLatent, int statsPasses) {
    if (tileLatent < 4)
        throw InvalidRequest(
            fmt::format("VAE tiled decode: tile size {} is below 4 latent pixels", tileLatent));
    if (overlapLatent < 0 || overlapLatent >= tileLatent)
        throw InvalidRequest(fmt::format("VAE tiled decode: overlap {} must be in [0, tile size {})",
                                         overlapLatent, tileLatent));
    torch::NoGradGuard noGrad;
    const auto& config = vae.config();
    const int64_t f = config.spatialFactor(), context = tileContextLatent(config);
    const int64_t h = z.size(2), w = z.size(3);
    // Whole-latent part first: exact, and the attention stays global.
    const auto mid = vae.decodeMid(z);
    const auto ys = spans(h, tileLatent, overlapLatent, context, f);
    const auto xs = spans(w, tileLatent, overlapLatent, context, f);
    if (ys.size() == 1 && xs.size() == 1) return vae.decodeUp(mid).to(torch::kFloat);

    vae::GroupNormStats stats;
    vae::GroupNormStatsScope scope(&stats);
    {
        // Initial statistics: the whole image at about tile size.
        const double scale =
            std::min(1.0, static_cast<double>(tileLatent) / static_cast<double>(std::max(h, w)));
        const int64_t dh = std::max<int64_t>(1, std::llround(static_cast<double>(h) * scale));
        const int64_t dw = std::max<int64_t>(1, std::llround(static_cast<double>(w) * scale));
        const auto small = at::adaptive_avg_pool2d(mid.to(torch::kFloat), {dh, dw}).to(mid.scalar_type());
        stats.mode = vae::GroupNormStats::Mode::Record;
        stats.next = 0;
        vae.decodeUp(small);
    }
    auto runTile = [&](const Span& sy, const Span& sx) {
        stats.next = 0;
        stats.tileH = sy.read1 - sy.read0;
        stats.tileW = sx.read1 - sx.read0;
        stats.ownY0 = sy.own0 - sy.read0;
        stats.ownY1 = sy.own1 - sy.read0;
        stats.ownX0 = sx.own0 - sx.read0;
        stats.ownX1 = sx.own1 - sx.read0;
        const auto in = mid.narrow(2, sy.read0, stats.tileH).narrow(3, sx.read0, stats.tileW);
        return vae.decodeUp(in)
            .narrow(2, (sy.start - sy.read0) * f, sy.len * f)
            .narrow(3, (sx.start - sx.read0) * f, sx.len * f);
    };
    const std::size_t passes =
        std::min<std::size_t>(static_cast<std::size_t>(std::max(0, statsPasses)), stats.mean.size());
    for (std::size_t pass = 0; pass < passes; ++pass) {
        stats.mode = vae::GroupNormStats::Mode::Accumulate;
        for (const auto& sy : ys)
            for (const auto& sx : xs)
                runTile(sy, sx);
        stats.finishAccumulation(1e-6, pass);
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
    bool tiled = options.mode == TiledDecodeOptions::Mode::Always;
    if (options.mode == TiledDecodeOptions::Mode::Auto && estimate > budget) {
        log::info("VAE: untiled decode of {}x{} latents needs about {:.2f} GiB, budget {:.2f} GiB on {}: "
                  "decoding in tiles",
                  h, w, gib(estimate), gib(budget), device.str());
        tiled = true;
    }
    if (!tiled) {
        try {
            return toImage01(vae.decode(z), dtype);
        } catch (const c10::OutOfMemoryError& e) {
            releaseCachedMemory(device);
            if (options.mode == TiledDecodeOptions::Mode::Never)
                throw OutOfMemory(
                    fmt::format("VAE decode of {}x{} latents ran out of memory on {} (tiling is off): "
                                "enable tiled decoding or choose a smaller image",
                                h, w, device.str()));
            log::warn("VAE: untiled decode ran out of memory on {}; retrying in tiles", device.str());
        }
    }
    const uint64_t midBytes = estimateMidBlockBytes(config, h, w, dtype) * static_cast<uint64_t>(b);
    const uint64_t tileBudget =
        budget > midBytes ? (budget - midBytes) / static_cast<uint64_t>(b) : budget / 4;
    int64_t tile = options.tileLatent > 0 ? options.tileLatent : chooseTileLatent(config, dtype, tileBudget);
    while (true) {
        const int64_t overlap =
            options.overlapLatent > 0 ? options.overlapLatent : std::max<int64_t>(1, tile / 4);
        try {
            log::info(
                "VAE: tiled decode of {}x{} latents, tiles {} overlap {} (latent pixels), {} x {} tiles", h,
                w, tile, overlap, tileStarts(h, tile, overlap).size(), tileStarts(w, tile, overlap).size());
            return toImage01(decodeTiled(vae, z, tile, std::min(overlap, tile - 1), options.statsPasses),
                             dtype);
        } catch (const c10::OutOfMemoryError&) {
            releaseCachedMemory(device);
            if (tile <= 16)
                throw OutOfMemory(
                    fmt::format("VAE decode ran out of memory on {} even with {}-latent tiles: free "
                                "memory (unload the text encoder) or decode on the CPU",
                                device.str(), tile));
            tile = std::max<int64_t>(16, tile / 2);
            log::warn("VAE: tiled decode ran out of memory on {}; retrying with tiles of {}", device.str(),
                      tile);
        }
    }
}

} // namespace lumina::models
