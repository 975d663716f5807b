#pragma once
// Tile geometry shared by the tiled VAE decode and encode (our own scheme; see vae_decode.h, decodeTiled).
#include <cstdint>
#include <vector>

namespace lumina::models::vae {

// One tile along one axis (latent pixels): its extent, the region it reads (with context), the region it
// owns for the GroupNorm sums and the encoder's output (overlaps split in the middle), and its blend ramps
// (output pixels, decode only).
struct Span {
    int64_t start, len, read0, read1, own0, own1, rampIn, rampOut;
};

// Tiles of `tile` latent pixels covering [0, length) with overlaps of at least `overlap` (tileStarts), each
// reading `context` extra latent pixels on both sides where the image has them; ramps in units of `f`
// output pixels per latent pixel.
std::vector<Span> spans(int64_t length, int64_t tile, int64_t overlap, int64_t context, int64_t f);

} // namespace lumina::models::vae
