// Export round trips through OpenImageIO: pixels per format, embedded settings, provenance, errors.
#include "core/image/embedded_metadata.h"
#include "core/image/image_export.h"
#include "core/image/png_codec.h"
#include "core/image/thumbnail.h"
#include "core/util/errors.h"

#include <OpenImageIO/imageio.h>
#include <QtTest/QtTest>

#include <cmath>
#include <fstream>
#include <iterator>
#include <set>

using namespace lumina::image;
namespace fs = std::filesystem;

namespace {

// Smooth, non-quantized values in [0, 1] (lossy codecs behave; 16-bit/half precision is really exercised).
FloatImage testImage(int w = 67, int h = 41) {
    FloatImage img;
    img.width = w;
    img.height = h;
    img.pixels.resize(std::size_t(w) * h * 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < 3; ++c)
                img.pixels[(std::size_t(y) * w + x) * 3 + c] =
                    0.5f + 0.4999f * std::sin(0.071f * x * (c + 1) + 0.113f * y + 0.7f * c);
    img.pixels[0] = 0.0f;
    img.pixels[1] = 1.0f;
    return img;
}

std::vector<uint8_t> fileBytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool contains(const std::vector<uint8_t>& haystack, std::string_view needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

const nlohmann::json kSettings = {{"prompt", "一只戴着宇航员头盔的猫 🐱🚀, «café» ünïcode"},
                                  {"negative_prompt", "模糊, blurry"},
                                  {"steps", 30},
                                  {"sampler", "midpoint"},
                                  {"guidance", 4.0},
                                  {"seed", 1234567890123ull},
                                  {"width", 1024},
                                  {"height", 1024},
                                  {"model", "Lumina-Next-SFT"}};

// Files in a folder other than the ones named (temporary leftovers).
std::vector<std::string> strayFiles(const fs::path& folder, const std::set<std::string>& expected) {
    std::vector<std::string> stray;
    for (const auto& e : fs::directory_iterator(folder))
        if (!expected.count(e.path().filename().string())) stray.push_back(e.path().filename().string());
    return stray;
}

} // namespace

class TestImageExport : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    fs::path path(const std::string& name) { return fs::path(m_dir.path().toStdString()) / name; }

    static ExportOptions optionsFor(const QString& variant) {
        ExportOptions o;
        if (variant == "png16") o.pngBitDepth = 16;
        if (variant == "webp-lossless") o.webpLossless = true;
        return o;
    }

    void formatRows() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("variant");
        QTest::newRow("png8") << "a.png"
                              << "";
        QTest::newRow("png16") << "b.png"
                               << "png16";
        QTest::newRow("tif") << "c.tif"
                             << "";
        QTest::newRow("tiff") << "d.TIFF"
                              << "";
        QTest::newRow("exr") << "e.exr"
                             << "";
        QTest::newRow("jpg") << "f.jpg"
                             << "";
        QTest::newRow("jpeg") << "g.jpeg"
                              << "";
        QTest::newRow("webp") << "h.webp"
                              << "";
        QTest::newRow("webp-lossless") << "i.webp"
                                       << "webp-lossless";
    }

private slots:
    void pixelRoundTrip_data() { formatRows(); }
    void pixelRoundTrip() {
        QFETCH(QString, file);
        QFETCH(QString, variant);
        const FloatImage img = testImage();
        const fs::path out = path("px-" + file.toStdString());
        writeImage(img, out, optionsFor(variant), kSettings);
        // Verify with OIIO itself: the stored type, then the pixels.
        auto in = OIIO::ImageInput::open(out.string());
        QVERIFY2(in, OIIO::geterror().c_str());
        const OIIO::ImageSpec spec = in->spec();
        QCOMPARE(spec.width, img.width);
        QCOMPARE(spec.height, img.height);
        QCOMPARE(spec.nchannels, 3);
        const QString ext = QString::fromStdString(out.extension().string()).toLower();
        const bool is16 = variant == "png16" || ext.startsWith(".tif");
        const bool isHalf = ext == ".exr";
        // OIIO before 3.1 feeds WebP's lossless coder through YUV 4:2:0 (no use_argb), so it is not exact
        // there.
        const bool exactWebp = variant == "webp-lossless" && OIIO_VERSION >= OIIO_MAKE_VERSION(3, 1, 0);
        const bool exact8 = (ext == ".png" && !is16) || exactWebp;
        if (is16)
            QCOMPARE(spec.format, OIIO::TypeDesc(OIIO::TypeDesc::UINT16));
        else if (isHalf)
            QCOMPARE(spec.format, OIIO::TypeDesc(OIIO::TypeDesc::HALF));
        else
            QCOMPARE(spec.format, OIIO::TypeDesc(OIIO::TypeDesc::UINT8));
        in->close();

        const FloatImage back = readImage(out);
        QCOMPARE(back.pixels.size(), img.pixels.size());
        const Rgb8Image reference8 = toRgb8(img);
        double sumError = 0, maxError = 0, sumSquared = 0;
        for (std::size_t i = 0; i < img.pixels.size(); ++i) {
            const double v = img.pixels[i], r = back.pixels[i], e = std::abs(r - v);
            sumError += e;
            sumSquared += e * e;
            maxError = std::max(maxError, e);
            if (exact8) {
                QCOMPARE(int(std::lround(r * 255.0)), int(reference8.pixels[i]));
            } else if (is16) {
                QVERIFY2(e <= 0.5 / 65535 + 1e-7, qPrintable(QString("16-bit error %1 at %2").arg(e).arg(i)));
            } else if (isHalf) {
                QVERIFY2(e <= std::max(v * std::ldexp(1.0, -11), std::ldexp(1.0, -24)) + 1e-9,
                         qPrintable(QString("half error %1 at %2").arg(e).arg(i)));
            }
        }
        const double meanError = sumError / double(img.pixels.size());
        const double psnr = -10.0 * std::log10(std::max(sumSquared / double(img.pixels.size()), 1e-12));
        qInfo("%s: mean abs error %.6f, max %.6f, PSNR %.1f dB", qPrintable(file), meanError, maxError, psnr);
        if (!exact8 && !is16 && !isHalf) {
            // Lossy (JPEG/WebP at quality 95, 4:2:0 chroma): the smooth image stays close; the one
            // black/white outlier pixel at the corner rings, hence the loose maximum.
            QVERIFY2(meanError < 0.012, "lossy mean error too large");
            QVERIFY2(psnr > 35.0, "lossy PSNR too low");
            QVERIFY2(maxError < 0.5, "lossy max error too large");
        }
    }

    void settingsRoundTrip_data() { formatRows(); }
    void settingsRoundTrip() {
        QFETCH(QString, file);
        QFETCH(QString, variant);
        const fs::path out = path("meta-" + file.toStdString());
        writeImage(testImage(), out, optionsFor(variant), kSettings);
        const auto settings = readImageSettings(out);
        QVERIFY(settings.has_value());
        QCOMPARE(*settings, kSettings);
        QCOMPARE(settings->at("prompt").get<std::string>(), kSettings["prompt"].get<std::string>());

        // What each format keeps, as OIIO reports it.
        auto in = OIIO::ImageInput::open(out.string());
        QVERIFY(in);
        const OIIO::ImageSpec& spec = in->spec();
        auto attr = [&](const char* key) { return spec.get_string_attribute(key); };
        const std::string parameters = a1111Parameters(kSettings);
        const auto bytes = fileBytes(out);
        const QString ext = QString::fromStdString(out.extension().string()).toLower();
        if (ext == ".png") {
            QCOMPARE(attr("lumina:settings"), kSettings.dump());
            QCOMPARE(attr("parameters"), parameters);
            QCOMPARE(attr("Software"), std::string("Lumina Studio"));
            QCOMPARE(attr(kDigitalSourceTypeKey), std::string(kTrainedAlgorithmicMedia));
            QVERIFY(!contains(bytes, "tEXt")); // no Latin-1 text chunk carries UTF-8
            for (const auto& t : readPngText(bytes))
                QVERIFY(t.keyword != "Description");
        } else if (ext.startsWith(".tif")) {
            QCOMPARE(nlohmann::json::parse(attr("ImageDescription")), kSettings);
            QCOMPARE(attr("lumina:settings"), kSettings.dump()); // from the XMP packet
            QCOMPARE(attr("lumina:parameters"), parameters);
            QCOMPARE(attr("Software"), std::string("Lumina Studio"));
            QCOMPARE(attr(kDigitalSourceTypeKey), std::string(kTrainedAlgorithmicMedia));
        } else if (ext == ".exr") {
            QCOMPARE(attr("lumina:settings"), kSettings.dump());
            QCOMPARE(attr("parameters"), parameters);
            QCOMPARE(attr(kDigitalSourceTypeKey), std::string(kTrainedAlgorithmicMedia));
        } else if (ext == ".jpg" || ext == ".jpeg") {
            QCOMPARE(attr("lumina:settings"), kSettings.dump());                  // XMP
            QCOMPARE(nlohmann::json::parse(attr("ImageDescription")), kSettings); // Exif
            QCOMPARE(attr(kDigitalSourceTypeKey), std::string(kTrainedAlgorithmicMedia));
            QVERIFY(
                contains(bytes, std::string_view("UNICODE\0", 8))); // A1111 parameters in Exif UserComment
            QVERIFY(!contains(bytes, std::string_view("\xFF\xFE", 2))); // no COM segment
        } else if (ext == ".webp") {
            // OIIO 2.4's WebP reader decodes the Exif chunk but ignores XMP: check that one in the bytes.
            QCOMPARE(nlohmann::json::parse(attr("ImageDescription")), kSettings);
            QCOMPARE(attr("Software"), std::string("Lumina Studio"));
            QVERIFY(contains(bytes, "XMP "));
            QVERIFY(contains(bytes, kTrainedAlgorithmicMedia));
            QVERIFY(contains(bytes, "VP8X"));
        }
    }

    void strippedMetadata_data() { formatRows(); }
    void strippedMetadata() {
        QFETCH(QString, file);
        QFETCH(QString, variant);
        const fs::path out = path("strip-" + file.toStdString());
        ExportOptions o = optionsFor(variant);
        o.embedSettings = false;
        o.markAiProvenance = false;
        writeImage(testImage(), out, o, kSettings);
        QVERIFY(!readImageSettings(out).has_value());
        const auto bytes = fileBytes(out);
        for (const char* secret :
             {"Lumina-Next-SFT", "midpoint", "trainedAlgorithmicMedia", "Lumina Studio", "blurry"})
            QVERIFY2(!contains(bytes, secret), secret);
        QCOMPARE(readImage(out).width, 67);

        // Provenance alone: the AI mark stays, the settings go.
        const fs::path marked = path("mark-" + file.toStdString());
        o.markAiProvenance = true;
        writeImage(testImage(), marked, o, kSettings);
        QVERIFY(!readImageSettings(marked).has_value());
        const auto markedBytes = fileBytes(marked);
        QVERIFY(contains(markedBytes, "trainedAlgorithmicMedia"));
        QVERIFY(!contains(markedBytes, "Lumina-Next-SFT"));
    }

    void qualityOption() {
        ExportOptions low;
        low.quality = 40;
        writeImage(testImage(256, 256), path("q40.jpg"), low);
        writeImage(testImage(256, 256), path("q95.jpg"), {});
        QVERIFY(fs::file_size(path("q40.jpg")) < fs::file_size(path("q95.jpg")));
        writeImage(testImage(256, 256), path("q40.webp"), low);
        writeImage(testImage(256, 256), path("q95.webp"), {});
        QVERIFY(fs::file_size(path("q40.webp")) < fs::file_size(path("q95.webp")));
        ExportOptions bad;
        bad.quality = 0;
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, writeImage(testImage(), path("bad.jpg"), bad));
        bad = {};
        bad.pngBitDepth = 12;
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, writeImage(testImage(), path("bad.png"), bad));
    }

    void overwritesExistingFile() {
        const fs::path out = path("over.png");
        { std::ofstream(out) << "old contents"; }
        writeImage(testImage(), out, {}, kSettings);
        QCOMPARE(readImage(out).width, 67);
    }

    void failuresLeaveNothingBehind() {
        const fs::path folder = path("fail");
        fs::create_directories(folder);
        const fs::path blocker = folder / "not-a-folder";
        { std::ofstream(blocker) << "x"; }
        const fs::path targetDir = folder / "taken.png";
        fs::create_directories(targetDir);
        const std::set<std::string> expected{"not-a-folder", "taken.png"};

        try {
            writeImage(testImage(), folder / "missing" / "x.png");
            QFAIL("missing folder accepted");
        } catch (const lumina::IoError& e) {
            QVERIFY2(std::string(e.what()).find("does not exist") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(lumina::IoError, writeImage(testImage(), blocker / "x.png"));
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, writeImage(testImage(), folder / "x.bmp"));
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, writeImage(FloatImage{}, folder / "x.png"));
        // Everything is encoded, then the final rename fails: both temporary files must be gone.
        QVERIFY_THROWS_EXCEPTION(lumina::IoError, writeImage(testImage(), targetDir, {}, kSettings));
        const std::vector<uint8_t> bytes(1000, 1);
        try {
            writeFileAtomically(targetDir, bytes);
            QFAIL("rename onto a folder accepted");
        } catch (const lumina::IoError& e) {
            QVERIFY2(std::string(e.what()).find(targetDir.string()) != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(lumina::IoError, writeFileAtomically(folder / "missing" / "f.bin", bytes));
        const auto stray = strayFiles(folder, expected);
        QVERIFY2(stray.empty(), stray.empty() ? "" : stray.front().c_str());
        QVERIFY(fs::is_empty(targetDir));
    }

    void checkOutputPathRules() {
        const fs::path folder = path("check");
        fs::create_directories(folder / "sub.png");
        { std::ofstream(folder / "file") << "x"; }
        checkOutputPath(folder / "ok.png");
        checkOutputPath(folder / "ok.EXR");
        for (const auto& e : supportedExtensions())
            checkOutputPath(folder / ("ok" + e));
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, checkOutputPath(folder / "ok.gif"));
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, checkOutputPath(folder / "noextension"));
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, checkOutputPath(folder / "missing" / "a.png"));
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, checkOutputPath(folder / "file" / "a.png"));
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, checkOutputPath(folder / "sub.png"));
        QCOMPARE(strayFiles(folder, {"sub.png", "file"}).size(), std::size_t{0}); // the probe file is gone
    }

    void thumbnailDecodes() {
        FloatImage img = testImage(1024, 512);
        const auto png = thumbnailPng(img);
        const fs::path out = path("thumb.png");
        writeFileAtomically(out, png);
        const FloatImage t = readImage(out);
        QCOMPARE(t.width, 256);
        QCOMPARE(t.height, 128);
        // Each thumbnail pixel is the mean of a 4x4 block of the 8-bit image.
        const Rgb8Image full = toRgb8(img);
        for (int y : {0, 37, 127})
            for (int x : {0, 100, 255})
                for (int c = 0; c < 3; ++c) {
                    int sum = 0;
                    for (int dy = 0; dy < 4; ++dy)
                        for (int dx = 0; dx < 4; ++dx)
                            sum += full.pixels[((y * 4 + dy) * 1024 + x * 4 + dx) * 3 + c];
                    QCOMPARE(int(std::lround(t.pixels[(y * 256 + x) * 3 + c] * 255)), (sum + 8) / 16);
                }
    }

    void unreadableFiles() {
        QVERIFY_THROWS_EXCEPTION(lumina::IoError, readImage(path("nothing-here.png")));
        QVERIFY(!readImageSettings(path("nothing-here.png")).has_value());
        { std::ofstream(path("garbage.png")) << "garbage bytes, not an image"; }
        QVERIFY(!readImageSettings(path("garbage.png")).has_value());
        writeImage(testImage(), path("plain.png"));
        QVERIFY(!readImageSettings(path("plain.png")).has_value());
    }
};

QTEST_GUILESS_MAIN(TestImageExport)
#include "test_image_export.moc"
