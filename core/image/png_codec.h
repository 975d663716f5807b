#pragma once
// Just enough PNG for what OpenImageIO 2.4 cannot do: encode small 8-bit RGB images (gallery thumbnails,
// zlib-compressed, no OIIO needed) and read/insert text chunks. OIIO's PNG writer stores every string
// attribute as a Latin-1 tEXt chunk, which garbles UTF-8 prompts, so exports add UTF-8 iTXt chunks here.
#include "core/image/image_buffers.h"

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace lumina::image {

// CRC-32 as PNG (and zlib, gzip) define it.
uint32_t crc32(std::span<const uint8_t> bytes, uint32_t crc = 0);

// A complete PNG file (8-bit RGB, Paeth filter, zlib level 6). Throws InvalidRequest for an empty image.
std::vector<uint8_t> encodePng(const Rgb8Image& image);

struct PngText {
    std::string keyword; // 1..79 Latin-1 characters
    std::string text;    // UTF-8
};

// Inserts one uncompressed iTXt chunk per entry just before the first IDAT chunk (text after the image data
// is missed by readers that stop at IDAT: OIIO, PIL's Image.info, A1111). Throws IoError when `png` is not a
// PNG.
std::vector<uint8_t> insertPngText(std::span<const uint8_t> png, const std::vector<PngText>& texts);

// All tEXt and zTXt (decoded from Latin-1 to UTF-8) and iTXt chunks, compressed or not, in file order; a
// compressed text is inflated up to 16 MiB, and one whose zlib stream is corrupt is skipped. Throws IoError
// when the stream is not a PNG or a chunk is cut short.
std::vector<PngText> readPngText(std::span<const uint8_t> png);

} // namespace lumina::image
