// writeImage / readImage / readImageSettings through OpenImageIO 2.4, plus the byte-level metadata edits
// (png_codec.h, container_edit.h) for what OIIO's writers cannot store. See docs/gallery-and-export.md.
#include "core/image/container_edit.h"
#include "core/image/embedded_metadata.h"
#include "core/image/image_export.h"
#include "core/image/png_codec.h"
#include "core/util/errors.h"
#include "core/util/log.h"

#include <OpenImageIO/imageio.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <random>

namespace lumina::image {

namespace fs = std::filesystem;

namespace {

struct RemoveOnExit {
    fs::path path;
    ~RemoveOnExit() {
        std::error_code ec;
        fs::remove(path, ec);
    }
};

const char* oiioFormatName(ImageFormat f) {
    switch (f) {
    case ImageFormat::Png:
        return "png";
    case ImageFormat::Tiff:
        return "tiff";
    case ImageFormat::Exr:
        return "openexr";
    case ImageFormat::Jpeg:
        return "jpeg";
    case ImageFormat::Webp:
        return "webp";
    }
    return "png";
}

std::vector<uint16_t> toUint16(const FloatImage& image) {
    std::vector<uint16_t> out(image.pixels.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        const float v = std::isnan(image.pixels[i]) ? 0.0f : std::clamp(image.pixels[i], 0.0f, 1.0f);
        out[i] = static_cast<uint16_t>(std::lround(v * 65535.0f));
    }
    return out;
}

std::vector<uint8_t> readAll(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw IoError("cannot read back " + file.string());
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string tempSuffix() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::to_string(rng() % 1000000000000ull);
}

// Encodes the pixels with OIIO into `temp`, with the attributes OIIO itself writes correctly.
void encodeWithOiio(const FloatImage& image, ImageFormat format, const ExportOptions& o,
                    const nlohmann::json& settings, const fs::path& temp, const fs::path& target) {
    auto out = OIIO::ImageOutput::create(oiioFormatName(format));
    if (!out)
        throw IoError("cannot write " + target.string() + ": OpenImageIO has no '" + oiioFormatName(format) +
                      "' writer (" + OIIO::geterror() + ")");
    const bool embed = o.embedSettings && !settings.is_null();
    OIIO::TypeDesc fileType = OIIO::TypeDesc::UINT8;
    if ((format == ImageFormat::Png && o.pngBitDepth == 16) || format == ImageFormat::Tiff)
        fileType = OIIO::TypeDesc::UINT16;
    if (format == ImageFormat::Exr) fileType = OIIO::TypeDesc::HALF;
    OIIO::ImageSpec spec(image.width, image.height, 3, fileType);
    switch (format) {
    case ImageFormat::Png:
        break; // text goes in as iTXt afterwards: OIIO would write Latin-1 tEXt
    case ImageFormat::Tiff:
        spec.attribute("compression", "zip");
        if (embed) spec.attribute("ImageDescription", asciiJson(settings));
        if (embed && !o.software.empty()) spec.attribute("Software", o.software);
        break;
    case ImageFormat::Exr:
        spec.attribute("compression", "zip");
        if (embed) {
            spec.attribute(kSettingsKey, settings.dump());
            spec.attribute(kParametersKey, a1111Parameters(settings));
            if (!o.software.empty()) spec.attribute("Software", o.software);
        }
        if (o.markAiProvenance) spec.attribute(kDigitalSourceTypeKey, kTrainedAlgorithmicMedia);
        break;
    case ImageFormat::Jpeg:
        spec.attribute("Compression", "jpeg:" + std::to_string(o.quality));
        break;
    case ImageFormat::Webp:
        spec.attribute("compression",
                       o.webpLossless ? std::string("lossless") : "webp:" + std::to_string(o.quality));
        break;
    }
    if (!out->open(temp.string(), spec))
        throw IoError("cannot write " + target.string() + ": " + out->geterror() +
                      "; check the folder and free space");
    bool ok = false;
    if (fileType == OIIO::TypeDesc::UINT8) {
        ok = out->write_image(OIIO::TypeDesc::UINT8, toRgb8(image).pixels.data());
    } else if (fileType == OIIO::TypeDesc::UINT16) {
        ok = out->write_image(OIIO::TypeDesc::UINT16, toUint16(image).data()); // our rounding, not OIIO's
    } else {
        ok = out->write_image(OIIO::TypeDesc::FLOAT, image.pixels.data()); // OIIO rounds to half
    }
    const std::string writeError = ok ? std::string() : out->geterror();
    const bool closed = out->close();
    if (!ok || !closed)
        throw IoError("cannot write " + target.string() + ": encoding failed (" +
                      (ok ? out->geterror() : writeError) + "); check free disk space");
}

// Adds what OIIO could not write, per format.
std::vector<uint8_t> addMetadata(std::vector<uint8_t> bytes, ImageFormat format, const FloatImage& image,
                                 const ExportOptions& o, const nlohmann::json& settings) {
    const bool embed = o.embedSettings && !settings.is_null();
    const std::string json = embed ? settings.dump() : std::string();
    const std::string parameters = embed ? a1111Parameters(settings) : std::string();
    const std::string software = embed ? o.software : std::string();
    switch (format) {
    case ImageFormat::Png: {
        const auto texts = pngTextChunks(o, settings);
        return texts.empty() ? bytes : insertPngText(bytes, texts);
    }
    case ImageFormat::Tiff: {
        const std::string xmp = xmpPacket({json, parameters, o.markAiProvenance, software});
        return xmp.empty() ? bytes : setTiffXmp(bytes, xmp);
    }
    case ImageFormat::Exr:
        return bytes;
    case ImageFormat::Jpeg: {
        std::vector<std::string> dropped;
        auto edited = replaceJpegMetadata(
            bytes, embed ? exifBlock(asciiJson(settings), software, parameters) : std::vector<uint8_t>{},
            xmpPacket({json, {}, o.markAiProvenance, software}), &dropped);
        for (const auto& d : dropped)
            log::warn("JPEG export: the {} metadata exceeds 64 KiB and was left out", d);
        return edited;
    }
    case ImageFormat::Webp:
        return setWebpMetadata(bytes, image.width, image.height,
                               embed ? exifBlock(asciiJson(settings), software, parameters)
                                     : std::vector<uint8_t>{},
                               xmpPacket({json, {}, o.markAiProvenance, software}));
    }
    return bytes;
}

} // namespace

void writeImage(const FloatImage& image, const fs::path& file, const ExportOptions& options,
                const nlohmann::json& metadata) {
    const auto format = formatForPath(file);
    if (!format) {
        std::string list;
        for (const auto& e : supportedExtensions())
            list += (list.empty() ? "" : ", ") + e;
        throw InvalidRequest("cannot write " + file.string() + ": unsupported extension '" +
                             file.extension().string() + "'; use one of " + list);
    }
    if (image.empty() || image.pixels.size() != std::size_t(image.width) * image.height * 3)
        throw InvalidRequest("cannot write " + file.string() +
                             ": the image is empty or its pixel buffer does not match " +
                             std::to_string(image.width) + "x" + std::to_string(image.height) + " RGB");
    if (options.pngBitDepth != 8 && options.pngBitDepth != 16)
        throw InvalidRequest("PNG bit depth must be 8 or 16, not " + std::to_string(options.pngBitDepth));
    if (options.quality < 1 || options.quality > 100)
        throw InvalidRequest("export quality must be 1..100, not " + std::to_string(options.quality));
    if (!metadata.is_null() && !metadata.is_object())
        throw InvalidRequest("image metadata must be a JSON object");
    const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
    std::error_code ec;
    if (!fs::exists(folder, ec))
        throw IoError("cannot write " + file.string() + ": the folder " + folder.string() +
                      " does not exist; create it first or choose an existing one");
    if (!fs::is_directory(folder, ec))
        throw IoError("cannot write " + file.string() + ": " + folder.string() +
                      " is a file, not a folder; choose another path");

    const RemoveOnExit encoded{folder / ("." + file.filename().string() + ".encode-" + tempSuffix())};
    encodeWithOiio(image, *format, options, metadata, encoded.path, file);
    std::vector<uint8_t> bytes;
    try {
        bytes = addMetadata(readAll(encoded.path), *format, image, options, metadata);
    } catch (const IoError& e) {
        // Some OIIO writers ignore short writes (a full disk): the encoded file is then cut off.
        throw IoError("cannot write " + file.string() + ": the encoded image came out incomplete (" +
                      e.what() + "); check free disk space");
    }
    writeFileAtomically(file, bytes);
}

FloatImage readImage(const fs::path& file) {
    // OpenImageIO premultiplies colour by alpha on read unless told otherwise; the colour is what is wanted
    // here (alpha is dropped, not composited), so the file's own unassociated values are asked for.
    OIIO::ImageSpec config;
    config.attribute("oiio:UnassociatedAlpha", 1);
    auto in = OIIO::ImageInput::open(file.string(), &config);
    if (!in) throw IoError("cannot read image " + file.string() + ": " + OIIO::geterror());
    const OIIO::ImageSpec& spec = in->spec();
    // Colour channels only: grey + alpha is grey, RGBA is RGB (alpha dropped, not composited).
    int channels = std::min(spec.nchannels, 3);
    if (spec.nchannels == 2) channels = 1;
    if (spec.alpha_channel >= 0 && spec.alpha_channel < channels) channels = std::max(1, spec.alpha_channel);
    if (channels < 1 || spec.width < 1 || spec.height < 1)
        throw IoError("image " + file.string() + " has no pixels");
    std::vector<float> data(std::size_t(spec.width) * spec.height * channels);
    if (!in->read_image(0, 0, 0, channels, OIIO::TypeDesc::FLOAT, data.data()))
        throw IoError("cannot decode image " + file.string() + ": " + in->geterror());
    FloatImage image;
    image.width = spec.width;
    image.height = spec.height;
    image.pixels.resize(std::size_t(spec.width) * spec.height * 3);
    const std::size_t n = std::size_t(spec.width) * spec.height;
    for (std::size_t p = 0; p < n; ++p)
        for (int c = 0; c < 3; ++c)
            image.pixels[p * 3 + c] = data[p * channels + std::min(c, channels - 1)];
    return image;
}

std::vector<PngText> imageTextAttributes(const fs::path& file) {
    std::vector<PngText> out;
    auto in = OIIO::ImageInput::open(file.string());
    if (!in) {
        OIIO::geterror();
        return out;
    }
    for (const auto& p : in->spec().extra_attribs) {
        const std::string name = p.name().string();
        if (p.type() != OIIO::TypeDesc::STRING) continue;
        if (name == "parameters" || name == "prompt" || name == "workflow" || name == "ImageDescription" ||
            name == "Exif:UserComment" || name == "sui_image_params")
            out.push_back({name == "Exif:UserComment" ? "UserComment" : name, p.get_string()});
    }
    return out;
}

std::optional<nlohmann::json> readImageSettings(const fs::path& file) {
    auto in = OIIO::ImageInput::open(file.string());
    if (!in) {
        OIIO::geterror(); // clear the thread's pending error
        return std::nullopt;
    }
    const OIIO::ImageSpec& spec = in->spec();
    // Our own key first (PNG iTXt, EXR attribute, XMP in JPEG/TIFF), then the ASCII copy in ImageDescription
    // (Exif in JPEG/WebP, the TIFF tag).
    for (const char* key : {kSettingsKey, "ImageDescription"}) {
        const std::string text = spec.get_string_attribute(key);
        if (text.empty()) continue;
        auto json = nlohmann::json::parse(text, nullptr, false);
        if (json.is_object()) return json;
    }
    return std::nullopt;
}

} // namespace lumina::image
