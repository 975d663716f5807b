#pragma once
// Live previews of the denoised estimate x0 (docs/reference-notes.md, Not in any reference): a per-pixel
// latent->RGB projection (about free) and an optional full VAE decode at reduced size.
#include "core/image/image_buffers.h"
#include "core/models/vae/autoencoder_kl.h"

#include <array>
#include <cstdint>
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

// Display size for an h x w image: longest edge = maxEdge, aspect ratio kept (each edge at least 1).
std::pair<int, int> previewSize(int64_t height, int64_t width, int maxEdge);

// x0 (1, 4, h, w) or (4, h, w) in diffusion space (first image of a batch): rgb = clamp(F^T x0 + bias, -1,
// 1), resized (bilinear; antialiased when shrinking) so the longest edge is maxEdge, then uint8 = round((rgb
// + 1) * 127.5).
PreviewImage latentPreview(const at::Tensor& x0, int maxEdge = 512);

// Decodes x0 with the VAE after shrinking the latents (area average) so the decoded image is about maxEdge
// on its longest edge, then resizes to exactly that; uint8 = round(img01 * 255).
PreviewImage decodedPreview(const AutoencoderKLImpl& vae, const at::Tensor& x0, int maxEdge = 512);

// (3, H, W) float image in [0, 1] -> 8-bit RGB buffer (round half to even, as numpy does).
PreviewImage toPreviewImage(const at::Tensor& chw01);

} // namespace lumina::models
