#include "core/image/png_codec.h"

#include "core/util/errors.h"

#include <zlib.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

namespace lumina::image {

namespace {

constexpr uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

const std::array<uint32_t, 256>& crcTable() {
    static const std::array<uint32_t, 256> table = [] {
        std::array<uint32_t, 256> t{};
        for (uint32_t n = 0; n < 256; ++n) {
            uint32_t c = n;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }();
    return table;
}

void putU32(std::vector<uint8_t>& out, uint32_t v) {
    out.push_back(static_cast<uint8_t>(v >> 24));
    out.push_back(static_cast<uint8_t>(v >> 16));
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}

uint32_t getU32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void appendChunk(std::vector<uint8_t>& out, const char type[4], std::span<const uint8_t> data) {
    putU32(out, static_cast<uint32_t>(data.size()));
    const std::size_t typeAt = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), data.begin(), data.end());
    putU32(out, crc32(std::span(out).subspan(typeAt, 4 + data.size())));
}

uint8_t paeth(int a, int b, int c) {
    const int p = a + b - c;
    const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
    if (pa <= pb && pa <= pc) return static_cast<uint8_t>(a);
    return static_cast<uint8_t>(pb <= pc ? b : c);
}

std::string latin1ToUtf8(std::string_view s) {
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x80) {
            out += ch;
        } else {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    return out;
}

struct Chunk {
    std::size_t offset; // of the length field
    uint32_t length;
    std::string type;
};

std::vector<Chunk> listChunks(std::span<const uint8_t> png) {
    if (png.size() < 8 || std::memcmp(png.data(), kSignature, 8) != 0)
        throw IoError("not a PNG stream (the 8-byte PNG signature is missing)");
    std::vector<Chunk> chunks;
    std::size_t at = 8;
    while (at + 12 <= png.size()) {
        const uint32_t length = getU32(png.data() + at);
        if (length > png.size() - at - 12)
            throw IoError("PNG chunk at byte " + std::to_string(at) + " is cut short");
        chunks.push_back({at, length, std::string(reinterpret_cast<const char*>(png.data() + at + 4), 4)});
        at += 12 + std::size_t{length};
        if (chunks.back().type == "IEND") return chunks;
    }
    throw IoError("PNG stream has no IEND chunk");
}

} // namespace

uint32_t crc32(std::span<const uint8_t> bytes, uint32_t crc) {
    const auto& table = crcTable();
    crc = ~crc;
    for (const uint8_t b : bytes)
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

std::vector<uint8_t> encodePng(const Rgb8Image& image) {
    if (image.empty() || image.pixels.size() != std::size_t(image.width) * image.height * 3)
        throw InvalidRequest("cannot encode an empty or inconsistent RGB image as PNG");
    const std::size_t stride = std::size_t(image.width) * 3;
    std::vector<uint8_t> raw;
    raw.reserve((stride + 1) * image.height);
    for (int y = 0; y < image.height; ++y) {
        const uint8_t* row = image.pixels.data() + y * stride;
        const uint8_t* above = y > 0 ? row - stride : nullptr;
        raw.push_back(4); // Paeth: compresses generated images well and is cheap at thumbnail sizes
        for (std::size_t x = 0; x < stride; ++x) {
            const int a = x >= 3 ? row[x - 3] : 0;
            const int b = above ? above[x] : 0;
            const int c = (above && x >= 3) ? above[x - 3] : 0;
            raw.push_back(static_cast<uint8_t>(row[x] - paeth(a, b, c)));
        }
    }
    uLongf compressedSize = compressBound(static_cast<uLong>(raw.size()));
    std::vector<uint8_t> compressed(compressedSize);
    if (compress2(compressed.data(), &compressedSize, raw.data(), static_cast<uLong>(raw.size()), 6) != Z_OK)
        throw IoError("zlib failed to compress a PNG image");
    compressed.resize(compressedSize);

    std::vector<uint8_t> out(kSignature, kSignature + 8);
    std::vector<uint8_t> ihdr;
    putU32(ihdr, static_cast<uint32_t>(image.width));
    putU32(ihdr, static_cast<uint32_t>(image.height));
    ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0}); // 8-bit, truecolour, deflate, adaptive filters, no interlace
    appendChunk(out, "IHDR", ihdr);
    appendChunk(out, "IDAT", compressed);
    appendChunk(out, "IEND", {});
    return out;
}

std::vector<uint8_t> insertPngText(std::span<const uint8_t> png, const std::vector<PngText>& texts) {
    const auto chunks = listChunks(png);
    // Before the image data: libpng-based readers (OIIO, PIL's Image.info) only report text read before IDAT.
    std::size_t insertAt = chunks.back().offset;
    for (const auto& c : chunks)
        if (c.type == "IDAT") {
            insertAt = c.offset;
            break;
        }
    std::vector<uint8_t> out(png.begin(), png.begin() + static_cast<std::ptrdiff_t>(insertAt));
    for (const auto& t : texts) {
        if (t.keyword.empty() || t.keyword.size() > 79)
            throw InvalidRequest("PNG text keyword must have 1 to 79 characters: '" + t.keyword + "'");
        // iTXt: keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword
        // NUL.
        std::vector<uint8_t> data(t.keyword.begin(), t.keyword.end());
        data.insert(data.end(), {0, 0, 0, 0, 0});
        data.insert(data.end(), t.text.begin(), t.text.end());
        appendChunk(out, "iTXt", data);
    }
    out.insert(out.end(), png.begin() + static_cast<std::ptrdiff_t>(insertAt), png.end());
    return out;
}

namespace {

// zlib stream -> bytes, at most kMaxInflatedText (a larger text is cut there; the settings parsers refuse
// texts that long anyway). nullopt for a corrupt stream.
constexpr std::size_t kMaxInflatedText = std::size_t{16} << 20;

std::optional<std::string> inflateText(std::string_view compressed) {
    z_stream z{};
    if (inflateInit(&z) != Z_OK) return std::nullopt;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    z.avail_in = static_cast<uInt>(compressed.size());
    std::string out;
    char buffer[16384];
    int status = Z_OK;
    while (status == Z_OK && out.size() < kMaxInflatedText) {
        z.next_out = reinterpret_cast<Bytef*>(buffer);
        z.avail_out = sizeof buffer;
        status = inflate(&z, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END) break;
        out.append(buffer, sizeof buffer - z.avail_out);
        if (status == Z_OK && z.avail_in == 0 && z.avail_out != 0) break; // input ended early
    }
    inflateEnd(&z);
    if (status != Z_STREAM_END && out.size() < kMaxInflatedText) return std::nullopt;
    if (out.size() > kMaxInflatedText) out.resize(kMaxInflatedText);
    return out;
}

} // namespace

std::vector<PngText> readPngText(std::span<const uint8_t> png) {
    std::vector<PngText> texts;
    for (const auto& c : listChunks(png)) {
        const auto* data = reinterpret_cast<const char*>(png.data() + c.offset + 8);
        const std::string_view body(data, c.length);
        const std::size_t nul = body.find('\0');
        if (nul == std::string_view::npos) continue;
        const std::string keyword(body.substr(0, nul));
        if (c.type == "tEXt") {
            texts.push_back({keyword, latin1ToUtf8(body.substr(nul + 1))});
        } else if (c.type == "zTXt" && body.size() >= nul + 2 && body[nul + 1] == 0) {
            // Written by Qt for long Latin-1 texts, among others: keyword, method 0 (deflate), Latin-1 text.
            if (auto text = inflateText(body.substr(nul + 2)))
                texts.push_back({keyword, latin1ToUtf8(*text)});
        } else if (c.type == "iTXt" && body.size() >= nul + 3 && body[nul + 2] == 0) {
            const bool compressed = body[nul + 1] != 0;
            const std::size_t langEnd = body.find('\0', nul + 3);
            if (langEnd == std::string_view::npos) continue;
            const std::size_t translatedEnd = body.find('\0', langEnd + 1);
            if (translatedEnd == std::string_view::npos) continue;
            const auto rest = body.substr(translatedEnd + 1);
            if (!compressed)
                texts.push_back({keyword, std::string(rest)});
            else if (auto text = inflateText(rest))
                texts.push_back({keyword, std::move(*text)});
        }
    }
    return texts;
}

} // namespace lumina::image
