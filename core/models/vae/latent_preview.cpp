// Reference: ComfyUI comfy/latent_formats.py (SDXL and Flux latent_rgb_factors) and latent_preview.py
// (projection and rounding); the decoded preview reuses decodeLatentsToImage.
#include "core/models/vae/latent_preview.h"

#include "core/models/vae/vae_decode.h"
#include "core/util/errors.h"

#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

namespace lumina::models {
namespace {

at::Tensor firstImage(const at::Tensor& x0, int64_t channels, const char* what) {
    at::Tensor x = x0.dim() == 3 ? x0.unsqueeze(0) : x0;
    if (x.dim() != 4 || x.size(1) != channels || x.size(0) < 1)
        throw InvalidRequest(fmt::format("{}: latents must be (B, {}, h, w) or ({}, h, w), got {}", what,
                                         channels, channels, fmt::join(x0.sizes(), "x")));
    return x.narrow(0, 0, 1);
}

// (1, C, h, w) float -> (1, C, H, W) at display size.
at::Tensor resizeForDisplay(const at::Tensor& x, int maxEdge) {
    const auto [ph, pw] = previewSize(x.size(2), x.size(3), maxEdge);
    if (ph == x.size(2) && pw == x.size(3)) return x;
    const bool shrink = ph < x.size(2) || pw < x.size(3);
    if (shrink) return at::_upsample_bilinear2d_aa(x, {ph, pw}, false);
    return at::upsample_bilinear2d(x, {ph, pw}, false);
}

} // namespace

std::pair<int, int> previewSize(int64_t height, int64_t width, int maxEdge) {
    if (maxEdge < 1)
        throw InvalidRequest(fmt::format("preview: maximum edge must be positive, got {}", maxEdge));
    const double scale = static_cast<double>(maxEdge) / static_cast<double>(std::max(height, width));
    const auto edge = [&](int64_t v) {
        return std::max(1, static_cast<int>(std::lround(static_cast<double>(v) * scale)));
    };
    return {edge(height), edge(width)};
}

PreviewImage toPreviewImage(const at::Tensor& chw01) {
    auto bytes = at::round(chw01.to(c10::kCPU, c10::kFloat).clamp(0, 1) * 255.0f)
                     .to(c10::kByte)
                     .permute({1, 2, 0})
                     .contiguous();
    PreviewImage img;
    img.height = static_cast<int>(bytes.size(0));
    img.width = static_cast<int>(bytes.size(1));
    img.pixels.assign(bytes.data_ptr<uint8_t>(), bytes.data_ptr<uint8_t>() + bytes.numel());
    return img;
}

std::optional<LatentRGBProjection> latentRGBProjection(int64_t latentChannels) {
    if (latentChannels == 4) return LatentRGBProjection{kSDXLLatentRGBFactors, kSDXLLatentRGBBias};
    if (latentChannels == 16) return LatentRGBProjection{kFluxLatentRGBFactors, kFluxLatentRGBBias};
    return std::nullopt;
}

PreviewImage latentPreview(const at::Tensor& x0, int64_t latentChannels, int maxEdge) {
    torch::NoGradGuard noGrad;
    const auto projection = latentRGBProjection(latentChannels);
    if (!projection)
        throw InvalidRequest(
            fmt::format("latent preview: no latent->RGB projection for {} latent channels (known: "
                        "4 for the SDXL VAE, 16 for the FLUX VAE); use the decoded preview",
                        latentChannels));
    const auto x = firstImage(x0, latentChannels, "latent preview").to(c10::kCPU, c10::kFloat);
    auto factors = torch::empty({3, latentChannels}, torch::kFloat);
    auto bias = torch::empty({3}, torch::kFloat);
    for (int c = 0; c < 3; ++c) {
        for (int64_t k = 0; k < latentChannels; ++k)
            factors[c][k] = static_cast<float>(projection->factors[static_cast<std::size_t>(k)][c]);
        bias[c] = static_cast<float>(projection->bias[c]);
    }
    // Per pixel: rgb[c] = sum_k latent[k] * F[k][c] + bias[c].
    auto rgb = at::einsum("ck,bkhw->bchw", {factors, x}) + bias.view({1, 3, 1, 1});
    rgb = resizeForDisplay(rgb.clamp(-1, 1), maxEdge);
    // round((rgb + 1) * 127.5) == round(((rgb + 1) / 2) * 255) up to float rounding; keep ComfyUI's form.
    auto bytes =
        at::round((rgb[0].clamp(-1, 1) + 1.0f) * 127.5f).to(c10::kByte).permute({1, 2, 0}).contiguous();
    PreviewImage img;
    img.height = static_cast<int>(bytes.size(0));
    img.width = static_cast<int>(bytes.size(1));
    img.pixels.assign(bytes.data_ptr<uint8_t>(), bytes.data_ptr<uint8_t>() + bytes.numel());
    return img;
}

PreviewImage decodedPreview(const AutoencoderKLImpl& vae, const at::Tensor& x0, int maxEdge) {
    torch::NoGradGuard noGrad;
    auto x = firstImage(x0, vae.config().latentChannels, "decoded preview");
    const int64_t f = vae.config().spatialFactor();
    // Latent size whose decode is about maxEdge on its longest side (never larger than x0).
    const int latentEdge = std::max(1, static_cast<int>((maxEdge + f - 1) / f));
    const auto [lh, lw] = previewSize(x.size(2), x.size(3), latentEdge);
    if (lh < x.size(2) || lw < x.size(3)) {
        // MPS pools only when the sizes divide; the latent is small, so pool it on the CPU there.
        const auto pooled = at::adaptive_avg_pool2d((x.is_mps() ? x.cpu() : x).to(c10::kFloat), {lh, lw});
        x = pooled.to(x.device(), x.scalar_type());
    }
    const auto image = decodeLatentsToImage(vae, x, TiledDecodeOptions{});
    return toPreviewImage(resizeForDisplay(image, maxEdge)[0]);
}

} // namespace lumina::models
