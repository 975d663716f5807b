#include "core/image/container_edit.h"

#include "core/util/errors.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace lumina::image {

namespace {

constexpr char kXmpJpegHeader[] = "http://ns.adobe.com/xap/1.0/"; // followed by its NUL in the segment
constexpr std::size_t kMaxSegmentPayload = 65533;                 // 65535 minus the 2-byte length field

bool startsWith(std::span<const uint8_t> bytes, std::size_t at, std::string_view prefix) {
    return bytes.size() >= at + prefix.size() &&
           std::memcmp(bytes.data() + at, prefix.data(), prefix.size()) == 0;
}

void appendSegment(std::vector<uint8_t>& out, uint8_t marker, std::span<const uint8_t> a,
                   std::span<const uint8_t> b) {
    const std::size_t length = 2 + a.size() + b.size();
    out.insert(out.end(), {0xFF, marker, static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length)});
    out.insert(out.end(), a.begin(), a.end());
    out.insert(out.end(), b.begin(), b.end());
}

void putLe32(std::vector<uint8_t>& out, uint32_t v) {
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint32_t getLe32(const uint8_t* p) {
    return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

void appendRiffChunk(std::vector<uint8_t>& out, const char fourcc[4], std::span<const uint8_t> a,
                     std::span<const uint8_t> b = {}) {
    out.insert(out.end(), fourcc, fourcc + 4);
    putLe32(out, static_cast<uint32_t>(a.size() + b.size()));
    out.insert(out.end(), a.begin(), a.end());
    out.insert(out.end(), b.begin(), b.end());
    if ((a.size() + b.size()) & 1) out.push_back(0);
}

std::span<const uint8_t> asBytes(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// TIFF integers in the file's byte order.
struct TiffOrder {
    bool little;
    uint16_t u16(const uint8_t* p) const {
        return little ? uint16_t(p[0] | (p[1] << 8)) : uint16_t((p[0] << 8) | p[1]);
    }
    uint32_t u32(const uint8_t* p) const {
        return little ? getLe32(p)
                      : (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
    }
    void put16(uint8_t* p, uint16_t v) const {
        p[little ? 0 : 1] = static_cast<uint8_t>(v);
        p[little ? 1 : 0] = static_cast<uint8_t>(v >> 8);
    }
    void put32(uint8_t* p, uint32_t v) const {
        for (int i = 0; i < 4; ++i)
            p[little ? i : 3 - i] = static_cast<uint8_t>(v >> (8 * i));
    }
};

} // namespace

std::vector<uint8_t> replaceJpegMetadata(std::span<const uint8_t> jpeg, const std::vector<uint8_t>& exifTiff,
                                         const std::string& xmp, std::vector<std::string>* dropped) {
    if (jpeg.size() < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        throw IoError("not a JPEG stream (no SOI marker)");
    std::vector<uint8_t> head{0xFF, 0xD8}; // SOI plus the APP0 segments
    std::vector<uint8_t> kept;             // other APPn segments (ICC profile, Adobe) in their order
    std::size_t at = 2;
    while (at + 4 <= jpeg.size() && jpeg[at] == 0xFF) {
        const uint8_t marker = jpeg[at + 1];
        const bool isApp = marker >= 0xE0 && marker <= 0xEF;
        if (!isApp && marker != 0xFE) break; // first table/frame marker: the metadata area ends
        const std::size_t length = (std::size_t{jpeg[at + 2]} << 8) | jpeg[at + 3];
        if (length < 2 || at + 2 + length > jpeg.size())
            throw IoError("JPEG segment at byte " + std::to_string(at) + " is cut short");
        const auto segment = jpeg.subspan(at, 2 + length);
        const bool isExif = marker == 0xE1 && startsWith(jpeg, at + 4, std::string_view("Exif\0\0", 6));
        const bool isXmp = marker == 0xE1 && startsWith(jpeg, at + 4, kXmpJpegHeader);
        if (marker == 0xE0)
            head.insert(head.end(), segment.begin(), segment.end());
        else if (!isExif && !isXmp && marker != 0xFE)
            kept.insert(kept.end(), segment.begin(), segment.end());
        at += 2 + length;
    }
    std::vector<uint8_t> out = std::move(head);
    if (!exifTiff.empty()) {
        static constexpr uint8_t kPrefix[6] = {'E', 'x', 'i', 'f', 0, 0};
        if (exifTiff.size() + 6 <= kMaxSegmentPayload)
            appendSegment(out, 0xE1, kPrefix, exifTiff);
        else if (dropped)
            dropped->push_back("Exif");
    }
    if (!xmp.empty()) {
        const std::span<const uint8_t> header(reinterpret_cast<const uint8_t*>(kXmpJpegHeader),
                                              sizeof kXmpJpegHeader);
        if (header.size() + xmp.size() <= kMaxSegmentPayload)
            appendSegment(out, 0xE1, header, asBytes(xmp));
        else if (dropped)
            dropped->push_back("XMP");
    }
    out.insert(out.end(), kept.begin(), kept.end());
    out.insert(out.end(), jpeg.begin() + static_cast<std::ptrdiff_t>(at), jpeg.end());
    return out;
}

std::vector<uint8_t> setWebpMetadata(std::span<const uint8_t> webp, int width, int height,
                                     const std::vector<uint8_t>& exifTiff, const std::string& xmp) {
    if (webp.size() < 12 || !startsWith(webp, 0, "RIFF") || !startsWith(webp, 8, "WEBP"))
        throw IoError("not a WebP file (no RIFF/WEBP header)");
    std::vector<uint8_t> iccp, image; // chunks kept, in the order the container requires
    uint8_t flags = 0;
    std::size_t at = 12;
    while (at + 8 <= webp.size()) {
        const std::string fourcc(reinterpret_cast<const char*>(webp.data() + at), 4);
        const uint32_t size = getLe32(webp.data() + at + 4);
        const std::size_t total = 8 + std::size_t{size} + (size & 1);
        if (at + 8 + size > webp.size()) throw IoError("WebP chunk '" + fourcc + "' is cut short");
        const auto chunk = webp.subspan(at, std::min(total, webp.size() - at));
        if (fourcc == "VP8X") {
            if (size >= 1) flags = webp[at + 8] & 0x12; // keep the alpha and animation bits
        } else if (fourcc == "ICCP") {
            iccp.insert(iccp.end(), chunk.begin(), chunk.end());
            flags |= 0x20;
        } else if (fourcc != "EXIF" && fourcc != "XMP ") {
            image.insert(image.end(), chunk.begin(), chunk.end());
        }
        at += total;
    }
    if (image.empty()) throw IoError("WebP file has no image data chunk");
    if (!exifTiff.empty()) flags |= 0x08;
    if (!xmp.empty()) flags |= 0x04;

    std::vector<uint8_t> body{'W', 'E', 'B', 'P'};
    std::vector<uint8_t> vp8x{flags, 0, 0, 0};
    for (const int v : {width - 1, height - 1})
        for (int i = 0; i < 3; ++i)
            vp8x.push_back(static_cast<uint8_t>(v >> (8 * i)));
    appendRiffChunk(body, "VP8X", vp8x);
    body.insert(body.end(), iccp.begin(), iccp.end());
    body.insert(body.end(), image.begin(), image.end());
    static constexpr uint8_t kPrefix[6] = {'E', 'x', 'i', 'f', 0, 0};
    if (!exifTiff.empty()) appendRiffChunk(body, "EXIF", kPrefix, exifTiff);
    if (!xmp.empty()) appendRiffChunk(body, "XMP ", asBytes(xmp));

    std::vector<uint8_t> out{'R', 'I', 'F', 'F'};
    putLe32(out, static_cast<uint32_t>(body.size()));
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

std::vector<uint8_t> setTiffXmp(std::span<const uint8_t> tiff, const std::string& xmp) {
    if (tiff.size() < 8 || !(startsWith(tiff, 0, "II") || startsWith(tiff, 0, "MM")))
        throw IoError("not a TIFF file (no byte-order mark)");
    const TiffOrder order{tiff[0] == 'I'};
    if (order.u16(tiff.data() + 2) != 42)
        throw IoError("not a classic TIFF file (BigTIFF is not supported here)");
    const uint32_t ifdAt = order.u32(tiff.data() + 4);
    if (std::size_t{ifdAt} + 2 > tiff.size()) throw IoError("TIFF first directory lies outside the file");
    const uint16_t count = order.u16(tiff.data() + ifdAt);
    if (std::size_t{ifdAt} + 2 + 12 * std::size_t{count} + 4 > tiff.size())
        throw IoError("TIFF first directory is cut short");

    constexpr uint16_t kXmlPacket = 700;
    std::vector<std::array<uint8_t, 12>> entries;
    for (uint16_t i = 0; i < count; ++i) {
        std::array<uint8_t, 12> e{};
        std::memcpy(e.data(), tiff.data() + ifdAt + 2 + std::size_t{12} * i, 12);
        if (order.u16(e.data()) != kXmlPacket) entries.push_back(e);
    }
    const uint32_t nextIfd = order.u32(tiff.data() + ifdAt + 2 + std::size_t{12} * count);

    std::vector<uint8_t> out(tiff.begin(), tiff.end());
    if (out.size() & 1) out.push_back(0); // TIFF offsets are word aligned
    const auto xmpAt = static_cast<uint32_t>(out.size());
    out.insert(out.end(), xmp.begin(), xmp.end());
    if (out.size() & 1) out.push_back(0);
    std::array<uint8_t, 12> entry{};
    order.put16(entry.data(), kXmlPacket);
    order.put16(entry.data() + 2, 1); // BYTE, as the XMP specification asks
    order.put32(entry.data() + 4, static_cast<uint32_t>(xmp.size()));
    order.put32(entry.data() + 8, xmpAt);
    entries.push_back(entry);
    std::sort(entries.begin(), entries.end(),
              [&](const auto& a, const auto& b) { return order.u16(a.data()) < order.u16(b.data()); });

    const auto newIfdAt = static_cast<uint32_t>(out.size());
    out.resize(out.size() + 2 + 12 * entries.size() + 4);
    order.put16(out.data() + newIfdAt, static_cast<uint16_t>(entries.size()));
    for (std::size_t i = 0; i < entries.size(); ++i)
        std::memcpy(out.data() + newIfdAt + 2 + 12 * i, entries[i].data(), 12);
    order.put32(out.data() + newIfdAt + 2 + 12 * entries.size(), nextIfd);
    order.put32(out.data() + 4, newIfdAt);
    return out;
}

} // namespace lumina::image
