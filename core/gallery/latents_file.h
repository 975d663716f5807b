#pragma once
// The final latents of a gallery item, kept beside the database so that Export re-decodes the float image on
// demand (docs/gallery-and-export.md). A safetensors file with one float32 tensor "latents" [1, C, h, w] and
// string metadata, written and read here without LibTorch (the studio's side of the app never links it);
// Python's safetensors and `lumina-cli` read the same file.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace lumina::gallery {

struct KeptLatents {
    std::vector<int64_t> shape; // [1, channels, height / 8, width / 8]
    std::vector<float> values;
    std::map<std::string, std::string> metadata;
};

// Writes atomically (a temporary file in the same folder, then renamed); creates the folder. Throws IoError
// naming the file, InvalidRequest when the shape does not match the values.
void writeKeptLatents(const std::filesystem::path& file, const KeptLatents& latents);

// Reads a file written by writeKeptLatents (or any safetensors file whose "latents" tensor is float32 of rank
// 4). Throws IoError naming the file and what is wrong (missing, cut short, bad header, wrong dtype or size).
KeptLatents readKeptLatents(const std::filesystem::path& file);

} // namespace lumina::gallery
