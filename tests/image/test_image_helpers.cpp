// Image helpers that need no decoder: CRC, PNG text chunks, thumbnails, A1111 text, XMP, Exif, container
// edits.
#include "core/image/container_edit.h"
#include "core/image/embedded_metadata.h"
#include "core/image/png_codec.h"
#include "core/image/thumbnail.h"
#include "core/util/errors.h"

#include <QtTest/QtTest>

#include <cstring>
#include <random>
#include <zlib.h>

using namespace lumina::image;

namespace {

// Inserts a chunk of `type` with `body` (CRC computed) before the PNG's IEND.
void insertChunk(std::vector<uint8_t>& png, const char* type, const std::vector<uint8_t>& body) {
    std::vector<uint8_t> chunk{uint8_t(body.size() >> 24), uint8_t(body.size() >> 16),
                               uint8_t(body.size() >> 8),  uint8_t(body.size()),
                               uint8_t(type[0]),           uint8_t(type[1]),
                               uint8_t(type[2]),           uint8_t(type[3])};
    chunk.insert(chunk.end(), body.begin(), body.end());
    const uint32_t crc = crc32(std::span(chunk).subspan(4));
    chunk.insert(chunk.end(), {uint8_t(crc >> 24), uint8_t(crc >> 16), uint8_t(crc >> 8), uint8_t(crc)});
    png.insert(png.end() - 12, chunk.begin(), chunk.end());
}

std::vector<uint8_t> deflated(const std::string& text) {
    uLongf size = compressBound(static_cast<uLong>(text.size()));
    std::vector<uint8_t> out(size);
    compress2(out.data(), &size, reinterpret_cast<const Bytef*>(text.data()), static_cast<uLong>(text.size()),
              9);
    out.resize(size);
    return out;
}

std::span<const uint8_t> bytesOf(const char* s) {
    return {reinterpret_cast<const uint8_t*>(s), std::strlen(s)};
}

bool contains(const std::vector<uint8_t>& haystack, std::string_view needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

uint16_t be16(const uint8_t* p) {
    return uint16_t((p[0] << 8) | p[1]);
}
uint32_t be32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

Rgb8Image solid(int w, int h, uint8_t r, uint8_t g, uint8_t b) {
    Rgb8Image img;
    img.width = w;
    img.height = h;
    for (int i = 0; i < w * h; ++i)
        img.pixels.insert(img.pixels.end(), {r, g, b});
    return img;
}

const nlohmann::json kSettings = {{"prompt", "一只猫 🐱, \"best\" quality"},
                                  {"negative_prompt", "blurry"},
                                  {"steps", 30},
                                  {"sampler", "midpoint"},
                                  {"guidance", 4.0},
                                  {"seed", 18446744073709551615ull},
                                  {"width", 1024},
                                  {"height", 768},
                                  {"model", "Lumina-Next-SFT"},
                                  {"schedule", "uniform"},
                                  {"preset", "lumina"},
                                  {"time_shift", 4.0}};

} // namespace

class TestImageHelpers : public QObject {
    Q_OBJECT
private slots:
    void crcMatchesStandardCheckValue() {
        QCOMPARE(crc32(bytesOf("123456789")), uint32_t{0xCBF43926});
        QCOMPARE(crc32(bytesOf("")), uint32_t{0});
    }

    void pngTextRoundTrip() {
        const auto png = encodePng(solid(4, 3, 10, 20, 30));
        const auto with =
            insertPngText(png, {{"parameters", "一只猫 🐱\nSteps: 30"}, {"lumina:settings", "{}"}});
        const auto texts = readPngText(with);
        QCOMPARE(texts.size(), std::size_t{2});
        QCOMPARE(texts[0].keyword, std::string("parameters"));
        QCOMPARE(texts[0].text, std::string("一只猫 🐱\nSteps: 30"));
        QCOMPARE(texts[1].keyword, std::string("lumina:settings"));
        QVERIFY(contains(with, "iTXt"));
        QVERIFY(!contains(with, "tEXt"));
        // The text chunks sit before the image data; IEND stays last.
        QCOMPARE(std::string(with.end() - 8, with.end() - 4), std::string("IEND"));
        QVERIFY(std::search(with.begin(), with.end(), "iTXt", "iTXt" + 4) <
                std::search(with.begin(), with.end(), "IDAT", "IDAT" + 4));
        // Every chunk's CRC is right.
        for (std::size_t at = 8; at + 12 <= with.size();) {
            const uint32_t len = be32(&with[at]);
            QCOMPARE(crc32(std::span(with).subspan(at + 4, 4 + len)), be32(&with[at + 8 + len]));
            at += 12 + len;
        }
    }

    void pngTextDecodesLatin1() {
        auto png = encodePng(solid(1, 1, 0, 0, 0));
        // Hand-made tEXt "Title\0Caf\xE9" inserted before IEND.
        insertChunk(png, "tEXt", {'T', 'i', 't', 'l', 'e', 0, 'C', 'a', 'f', 0xE9});
        const auto texts = readPngText(png);
        QCOMPARE(texts.size(), std::size_t{1});
        QCOMPARE(texts[0].text, std::string("Café"));
    }

    // Compressed texts (zTXt, and iTXt with the compression flag: Qt writes long texts so) are inflated; a
    // corrupt stream is skipped, not a failure of the whole file.
    void pngCompressedTextsAreRead() {
        auto png = encodePng(solid(1, 1, 0, 0, 0));
        const std::string latin1 = "Steps: 25, Sampler: Euler a, CFG scale: 6.5, Seed: 1234, Caf\xE9";
        const std::string utf8 = "a castle on a hill, 城, repeated: " + std::string(300, 'x');
        std::vector<uint8_t> z{'p', 'a', 'r', 'a', 'm', 's', 0, 0};
        const auto deflatedLatin1 = deflated(latin1);
        z.insert(z.end(), deflatedLatin1.begin(), deflatedLatin1.end());
        insertChunk(png, "zTXt", z);
        std::vector<uint8_t> i{'p', 'r', 'o', 'm', 'p', 't', 0, 1, 0, 0, 0};
        const auto deflatedUtf8 = deflated(utf8);
        i.insert(i.end(), deflatedUtf8.begin(), deflatedUtf8.end());
        insertChunk(png, "iTXt", i);
        std::vector<uint8_t> broken{'b', 'a', 'd', 0, 0, 'n', 'o', 't', ' ', 'z', 'l', 'i', 'b'};
        insertChunk(png, "zTXt", broken);
        const auto texts = readPngText(png);
        QCOMPARE(texts.size(), std::size_t{2});
        QCOMPARE(texts[0].keyword, std::string("params"));
        QCOMPARE(texts[0].text, std::string("Steps: 25, Sampler: Euler a, CFG scale: 6.5, Seed: 1234, Café"));
        QCOMPARE(texts[1].keyword, std::string("prompt"));
        QCOMPARE(texts[1].text, utf8);
    }

    void pngErrors() {
        QVERIFY_THROWS_EXCEPTION(lumina::IoError, readPngText(bytesOf("not a png at all")));
        auto png = encodePng(solid(2, 2, 1, 2, 3));
        png.resize(png.size() - 6); // IEND cut short
        QVERIFY_THROWS_EXCEPTION(lumina::IoError, readPngText(png));
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, encodePng(Rgb8Image{}));
    }

    void downscaleAveragesAreas() {
        Rgb8Image img = solid(512, 256, 0, 0, 0);
        for (int y = 0; y < 256; ++y)
            for (int x = 256; x < 512; ++x)
                img.pixels[(y * 512 + x) * 3 + 2] = 200; // right half blue
        img.pixels[0] = 255;                             // one red pixel in a 2x2 block
        const auto t = downscaleToFit(img, 256);
        QCOMPARE(t.width, 256);
        QCOMPARE(t.height, 128);
        QCOMPARE(int(t.pixels[0]), 64); // 255 / 4 rounded
        QCOMPARE(int(t.pixels[2]), 0);
        QCOMPARE(int(t.pixels[(256 * 1 + 200) * 3 + 2]), 200);
        const auto same = downscaleToFit(solid(100, 50, 1, 2, 3), 256); // never enlarges
        QCOMPARE(same.width, 100);
        const auto thin = downscaleToFit(solid(2000, 3, 9, 9, 9), 256);
        QCOMPARE(thin.width, 256);
        QCOMPARE(thin.height, 1);
        const auto png = thumbnailPng(solid(1024, 1024, 50, 60, 70));
        QVERIFY(png.size() < 4096); // compressed, not stored
        QCOMPARE(be32(&png[16]), uint32_t{256});
    }

    void a1111Text() {
        QCOMPARE(QString::fromStdString(a1111Parameters(kSettings)),
                 QString::fromUtf8("一只猫 🐱, \"best\" quality\nNegative prompt: blurry\n"
                                   "Steps: 30, Sampler: midpoint, Schedule type: uniform, CFG scale: 4, "
                                   "Seed: 18446744073709551615, Size: 1024x768, Model: Lumina-Next-SFT, "
                                   "Time shift: 4, Lumina preset: lumina"));
        nlohmann::json s = {{"prompt", "p"}, {"negative_prompt", ""}, {"guidance", 4.5}, {"model", "a, b"}};
        QCOMPARE(a1111Parameters(s), std::string("p\nCFG scale: 4.5, Model: \"a, b\""));
    }

    void asciiJsonEscapes() {
        const std::string a = asciiJson(kSettings);
        for (const char c : a)
            QVERIFY(static_cast<unsigned char>(c) < 0x80);
        QCOMPARE(nlohmann::json::parse(a), kSettings);
    }

    void xmpHasProvenanceAndEscapedSettings() {
        const std::string x = xmpPacket({"{\"a\":\"<&>\"}", "p & q", true, "Lumina Studio"});
        QVERIFY(x.find("Iptc4xmpExt:DigitalSourceType=\"http://cv.iptc.org/newscodes/digitalsourcetype/"
                       "trainedAlgorithmicMedia\"") != std::string::npos);
        QVERIFY(x.find("<lumina:settings>{&quot;a&quot;:&quot;&lt;&amp;&gt;&quot;}</lumina:settings>") !=
                std::string::npos);
        QVERIFY(x.find("<lumina:parameters>p &amp; q</lumina:parameters>") != std::string::npos);
        QVERIFY(x.rfind("<?xpacket end=\"w\"?>") != std::string::npos);
        QVERIFY(xmpPacket({{}, {}, false, {}}).empty());
        const std::string only = xmpPacket({{}, {}, true, {}});
        QVERIFY(only.find("lumina:settings") == std::string::npos);
    }

    void exifLayout() {
        const auto exif = exifBlock("{\"k\":1}", "Lumina Studio", "猫 A");
        QCOMPARE(std::string(exif.begin(), exif.begin() + 2), std::string("MM"));
        QCOMPARE(be16(&exif[2]), uint16_t{42});
        const uint32_t ifd0 = be32(&exif[4]);
        QCOMPARE(be16(&exif[ifd0]), uint16_t{3});
        QCOMPARE(be16(&exif[ifd0 + 2]), uint16_t{0x010E});
        const uint32_t descAt = be32(&exif[ifd0 + 2 + 8]);
        QCOMPARE(std::string(reinterpret_cast<const char*>(&exif[descAt])), std::string("{\"k\":1}"));
        QCOMPARE(be16(&exif[ifd0 + 2 + 24]), uint16_t{0x8769});
        const uint32_t exifIfd = be32(&exif[ifd0 + 2 + 24 + 8]);
        QCOMPARE(be16(&exif[exifIfd]), uint16_t{2});
        QCOMPARE(be16(&exif[exifIfd + 2 + 12]), uint16_t{0x9286});
        const uint32_t count = be32(&exif[exifIfd + 2 + 12 + 4]);
        const uint32_t at = be32(&exif[exifIfd + 2 + 12 + 8]);
        QCOMPARE(count, uint32_t{8 + 3 * 2});
        QCOMPARE(std::string(reinterpret_cast<const char*>(&exif[at]), 8), std::string("UNICODE\0", 8));
        QCOMPARE(be16(&exif[at + 8]), uint16_t{0x732B}); // 猫 in UTF-16BE
        QCOMPARE(be16(&exif[at + 12]), uint16_t{'A'});
        QVERIFY(exifBlock("", "", "").empty());
    }

    void containerEditsRejectOtherFiles() {
        const auto junk = std::vector<uint8_t>(64, 7);
        QVERIFY_THROWS_EXCEPTION(lumina::IoError, replaceJpegMetadata(junk, {}, "x"));
        QVERIFY_THROWS_EXCEPTION(lumina::IoError, setWebpMetadata(junk, 1, 1, {}, "x"));
        QVERIFY_THROWS_EXCEPTION(lumina::IoError, setTiffXmp(junk, "x"));
        const std::vector<uint8_t> farIfd{'I', 'I', 42, 0, 0xFF, 0xFF, 0xFF, 0xFF}; // offset wraps in 32 bits
        QVERIFY_THROWS_EXCEPTION(lumina::IoError, setTiffXmp(farIfd, "x"));
    }

    void tiffXmpIsAdded() {
        // A minimal little-endian TIFF: header + one IFD with ImageWidth (256) and an old XMLPACKET (700).
        std::vector<uint8_t> t{'I',  'I', 42, 0, 8, 0, 0, 0, 2,   0,   0, 1,
                               3,    0,   1,  0, 0, 0, 5, 0, 0,   0,         // ImageWidth SHORT 5
                               0xBC, 2,   1,  0, 2, 0, 0, 0, 'a', 'b', 0, 0, // XMLPACKET BYTE 2 "ab"
                               0,    0,   0,  0};
        const std::string xmp = "<x:xmpmeta>hello</x:xmpmeta>";
        const auto out = setTiffXmp(t, xmp);
        const uint32_t ifd = out[4] | (out[5] << 8) | (out[6] << 16) | (uint32_t(out[7]) << 24);
        QCOMPARE(int(out[ifd]), 2);                             // ImageWidth + new XMLPACKET
        QCOMPARE(int(out[ifd + 2]) | (out[ifd + 3] << 8), 256); // sorted by tag
        QCOMPARE(int(out[ifd + 14]) | (out[ifd + 15] << 8), 700);
        const uint32_t count = out[ifd + 18] | (out[ifd + 19] << 8);
        const uint32_t at = out[ifd + 22] | (out[ifd + 23] << 8) | (out[ifd + 24] << 16);
        QCOMPARE(count, uint32_t(xmp.size()));
        QCOMPARE(std::string(reinterpret_cast<const char*>(&out[at]), count), xmp);
    }

    void damagedInputsFailCleanly() {
        // Truncated and bit-flipped containers: each edit either works or throws IoError, never reads out of
        // bounds (this test runs under the address sanitizer in the sanitizer build).
        const auto png = insertPngText(encodePng(solid(8, 8, 1, 2, 3)), {{"k", "v"}});
        const std::vector<uint8_t> webp{'R', 'I', 'F', 'F', 18, 0, 0, 0, 'W', 'E', 'B', 'P', 'V',
                                        'P', '8', 'L', 6,   0,  0, 0, 1, 2,   3,   4,   5,   6};
        const std::vector<uint8_t> jpeg{0xFF, 0xD8, 0xFF, 0xE0, 0,   4,    'J',  'F', 0xFF, 0xE1, 0,
                                        6,    'E',  'x',  'i',  'f', 0xFF, 0xDB, 0,   2,    0xFF, 0xD9};
        const std::vector<uint8_t> tiff{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 1, 0, 0,
                                        3,   0,   0, 0,  1, 0, 5, 0, 0, 0, 0, 0, 0};
        std::mt19937 rng(1);
        int failures = 0, successes = 0;
        for (int round = 0; round < 400; ++round) {
            for (const auto* source : {&png, &webp, &jpeg, &tiff}) {
                std::vector<uint8_t> bytes = *source;
                if (round % 2)
                    bytes.resize(rng() % (bytes.size() + 1));
                else
                    bytes[rng() % bytes.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
                try {
                    if (source == &png) readPngText(bytes);
                    if (source == &webp) setWebpMetadata(bytes, 2, 2, {1, 2, 3}, "x");
                    if (source == &jpeg) replaceJpegMetadata(bytes, {1, 2, 3}, "x");
                    if (source == &tiff) setTiffXmp(bytes, "xmp packet");
                    ++successes;
                } catch (const lumina::IoError&) {
                    ++failures;
                }
            }
        }
        QVERIFY(failures > 0);
        QVERIFY(successes > 0);
    }

    void webpBecomesExtended() {
        // A simple lossless WebP container with a fake 6-byte VP8L payload (the container edit does not
        // decode it).
        std::vector<uint8_t> w{'R', 'I', 'F', 'F', 18, 0, 0, 0, 'W', 'E', 'B', 'P', 'V',
                               'P', '8', 'L', 6,   0,  0, 0, 1, 2,   3,   4,   5,   6};
        const std::vector<uint8_t> exif{'M', 'M', 0, 42, 0, 0, 0, 8, 0};
        const auto out = setWebpMetadata(w, 300, 200, exif, "<xmp/>");
        QCOMPARE(std::string(out.begin() + 12, out.begin() + 16), std::string("VP8X"));
        QCOMPARE(int(out[20]), 0x08 | 0x04);
        QCOMPARE(out[24] | (out[25] << 8), 299);
        QCOMPARE(out[27] | (out[28] << 8), 199);
        QCOMPARE(std::string(out.begin() + 30, out.begin() + 34), std::string("VP8L"));
        QVERIFY(contains(out, std::string_view("EXIF\x0f\0\0\0Exif\0\0MM", 16)));
        QVERIFY(contains(out, "XMP \x06"));
        const uint32_t riffSize = out[4] | (out[5] << 8) | (out[6] << 16) | (uint32_t(out[7]) << 24);
        QCOMPARE(std::size_t(riffSize) + 8, out.size());
        QCOMPARE(out.size() % 2, std::size_t{0});
        // Applying it again replaces the chunks instead of adding more.
        const auto again = setWebpMetadata(out, 300, 200, {}, "<xmp2/>");
        QVERIFY(!contains(again, "EXIF"));
        QVERIFY(contains(again, "<xmp2/>"));
        QVERIFY(!contains(again, "<xmp/>"));
        QCOMPARE(int(again[20]), 0x04);
    }
};

QTEST_GUILESS_MAIN(TestImageHelpers)
#include "test_image_helpers.moc"
