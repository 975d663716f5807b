#pragma once
// Byte-level metadata edits on files OpenImageIO 2.4 has written, for what its writers cannot express:
// a chosen Exif block and XMP packet in JPEG, Exif/XMP chunks in WebP (OIIO writes none), and an XMP packet
// in TIFF (OIIO only writes XMP for the tags it knows). Each function returns the edited file and throws
// IoError when the input is not the expected container.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lumina::image {

// Removes existing Exif/XMP APP1 and COM segments, then inserts the given Exif (TIFF structure, the
// "Exif\0\0" prefix is added) and XMP packet after the JFIF APP0 segment. Empty arguments insert nothing.
// A segment that would exceed JPEG's 64 KiB limit is left out (the function reports which via `dropped`).
std::vector<uint8_t> replaceJpegMetadata(std::span<const uint8_t> jpeg, const std::vector<uint8_t>& exifTiff,
                                         const std::string& xmp, std::vector<std::string>* dropped = nullptr);

// Turns a simple (VP8/VP8L) or extended WebP into an extended one with the given EXIF and XMP chunks
// (replacing existing ones). The EXIF chunk carries the "Exif\0\0" prefix, which OIIO's and PIL's readers
// expect.
std::vector<uint8_t> setWebpMetadata(std::span<const uint8_t> webp, int width, int height,
                                     const std::vector<uint8_t>& exifTiff, const std::string& xmp);

// Points the first IFD's XMLPACKET tag (700) at a new XMP packet appended to the file (rewriting that IFD at
// the end of the file, as libtiff does when a directory grows). Classic TIFF, either byte order.
std::vector<uint8_t> setTiffXmp(std::span<const uint8_t> tiff, const std::string& xmp);

} // namespace lumina::image
