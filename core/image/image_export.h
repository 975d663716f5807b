#pragma once
// Saving finished images: PNG (8 or 16 bit), TIFF (16 bit), OpenEXR (half float), JPEG and WebP, written from
// the float image (16-bit and EXR never pass through 8 bits), with the generation settings embedded so that
// the gallery can be rebuilt from the files and an image can be dropped back in to restore its settings.
// Files are written atomically: a temporary file in the same folder, flushed, then renamed over the target.
// Where each piece of metadata goes per format: docs/gallery-and-export.md.
#include "core/image/image_buffers.h"
#include "core/image/png_codec.h"

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace lumina::image {

enum class ImageFormat { Png, Tiff, Exr, Jpeg, Webp };

struct ExportOptions {
    int pngBitDepth = 8; // 8 or 16 (TIFF is always 16-bit, EXR half float, JPEG/WebP 8-bit)
    int quality = 95;    // JPEG and lossy WebP, 1..100
    bool webpLossless = false;
    // Settings JSON, A1111 `parameters` text and the Software name. Off = strip them (privacy).
    bool embedSettings = true;
    // IPTC DigitalSourceType = trainedAlgorithmicMedia (XMP; a string attribute in EXR). Off as well to strip
    // all.
    bool markAiProvenance = true;
    std::string software = "Lumina Studio";
};

// Lowercase extensions with the dot, in the order the UI lists them: .png .tif .tiff .exr .jpg .jpeg .webp
std::vector<std::string> supportedExtensions();
// The format an extension (case-insensitive) selects; nullopt for anything else.
std::optional<ImageFormat> formatForPath(const std::filesystem::path& file);

// Everything that can be checked before any model work: a known extension, an existing folder that accepts a
// new file (probed by creating and removing one), and the target not being a folder. Throws InvalidRequest
// with a message naming the path and what to do.
void checkOutputPath(const std::filesystem::path& file);

// Writes `image` in the format of `file`'s extension; `metadata` is the settings JSON to embed (an object;
// null embeds nothing but provenance). Throws InvalidRequest (unknown extension, empty image, bad option) or
// IoError (missing folder, a file in the way, disk full, encoder failure); nothing is left behind on failure
// and an existing file at `file` stays untouched. Without OpenImageIO every call throws IoError.
void writeImage(const FloatImage& image, const std::filesystem::path& file, const ExportOptions& options = {},
                const nlohmann::json& metadata = nullptr);

// Reads any image OIIO can decode as float RGB in [0, 1] (8-bit values v/255, 16-bit v/65535; grey images are
// replicated to RGB, alpha dropped, grey + alpha read as grey). Throws IoError.
FloatImage readImage(const std::filesystem::path& file);

// Our settings JSON from a file written by writeImage (any format that keeps it); nullopt when the file has
// none or cannot be read.
std::optional<nlohmann::json> readImageSettings(const std::filesystem::path& file);

// The string attributes OpenImageIO reports for `file` that can carry generation settings (`parameters`,
// `prompt`, `workflow`, ImageDescription, Exif UserComment) as keyword/text pairs; empty when there are none,
// the file cannot be read, or the build has no OpenImageIO.
std::vector<PngText> imageTextAttributes(const std::filesystem::path& file);

// Writes bytes to `file` through "<folder>/.<name>.tmp-<random>": write, fsync, rename. On any failure the
// temporary file is removed and IoError says what failed, where, and what to do.
void writeFileAtomically(const std::filesystem::path& file, std::span<const uint8_t> bytes);

// The text chunks a PNG export carries: A1111 `parameters`, our settings JSON and the Software name (when
// settings are embedded), and the XMP packet (AI provenance). Shared by the OpenImageIO and the built-in
// PNG writer.
std::vector<PngText> pngTextChunks(const ExportOptions& options, const nlohmann::json& settings);

} // namespace lumina::image
