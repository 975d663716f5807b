#pragma once
// Live previews of the denoised estimate x0 (docs/reference-notes.md, Not in any reference): a per-pixel
// latent->RGB projection (about free) and an optional full VAE decode at reduced size.
#include "core/image/image_buffers.h"
#include "core/models/vae/autoencoder_kl.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace lumina::models {

// 8-bit RGB, row-major (the buffer type previews travel in to the UI and the CLI).
using PreviewImage = image::Rgb8Image;

// ComfyUI's SDXL latent_rgb_factors (rows: latent channel; columns: R, G, B) and bias
// (comfy/latent_formats.py, class SDXL).
inline constexpr std::array<std::array<double, 3>, 4> kSDXLLatentRGBFactors{{
    {0.3651, 0.4232, 0.4341},
    {-0.2533, -0.0042, 0.1068},
    {0.1076, 0.1111, -0.0362},
    {-0.3165, -0.2492, -0.2188},
}};
inline constexpr std::array<double, 3> kSDXLLatentRGBBias{0.1084, -0.0175, -0.0011};

// ComfyUI's Flux latent_rgb_factors and latent_rgb_factors_bias (comfy/latent_formats.py, class Flux), for
// the 16-channel latents of the FLUX VAE that Lumina-Image 2.0 uses.
inline constexpr std::array<std::array<double, 3>, 16> kFluxLatentRGBFactors{{
    {-0.0346, 0.0244, 0.0681},
    {0.0034, 0.0210, 0.0687},
    {0.0275, -0.0668, -0.0433},
    {-0.0174, 0.0160, 0.0617},
    {0.0859, 0.0721, 0.0329},
    {0.0004, 0.0383, 0.0115},
    {0.0405, 0.0861, 0.0915},
    {-0.0236, -0.0185, -0.0259},
    {-0.0245, 0.0250, 0.1180},
    {0.1008, 0.0755, -0.0421},
    {-0.0515, 0.0201, 0.0011},
    {0.0428, -0.0012, -0.0036},
    {0.0817, 0.0765, 0.0749},
    {-0.1264, -0.0522, -0.1103},
    {-0.0280, -0.0881, -0.0499},
    {-0.1262, -0.0982, -0.0778},
}};
inline constexpr std::array<double, 3> kFluxLatentRGBBias{-0.0329, -0.0718, -0.0851};

// rgb[c] = sum_k latent[k] * factors[k][c] + bias[c], in diffusion space (latents as the transformer sees
// them).
struct LatentRGBProjection {
    std::span<const std::array<double, 3>> factors; // one row per latent channel
    std::array<double, 3> bias;
};

// The projection for a VAE's latent channel count: 4 (SDXL) or 16 (FLUX); nullopt for any other count, whose
// callers show decodedPreview instead.
std::optional<LatentRGBProjection> latentRGBProjection(int64_t latentChannels);

// Display size for an h x w image: longest edge = maxEdge, aspect ratio kept (each edge at least 1).
std::pair<int, int> previewSize(int64_t height, int64_t width, int maxEdge);

// x0 (1, C, h, w) or (C, h, w) in diffusion space (first image of a batch), C = latentChannels of the loaded
// VAE: rgb = clamp(F^T x0 + bias, -1, 1) with latentRGBProjection(C), resized (bilinear; antialiased when
// shrinking) so the longest edge is maxEdge, then uint8 = round((rgb + 1) * 127.5). Throws InvalidRequest
// when C has no projection or x0 does not have C channels.
PreviewImage latentPreview(const at::Tensor& x0, int64_t latentChannels, int maxEdge = 512);

// Decodes x0 with the VAE after shrinking the latents (area average) so the decoded image is about maxEdge
// on its longest edge, then resizes to exactly that; uint8 = round(img01 * 255).
PreviewImage decodedPreview(const AutoencoderKLImpl& vae, const at::Tensor& x0, int maxEdge = 512);

// (3, H, W) float image in [0, 1] -> 8-bit RGB buffer (round half to even, as numpy does).
PreviewImage toPreviewImage(const at::Tensor& chw01);

} // namespace lumina::models
