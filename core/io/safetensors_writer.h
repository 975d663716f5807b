#pragma once
// Writes tensors as a safetensors file (little-endian 8-byte header length, JSON header padded to 8 bytes,
// contiguous data), atomically: a temporary file in the same folder, renamed over the target when complete.
#include <ATen/core/Tensor.h>
#include <filesystem>
#include <map>
#include <string>

namespace lumina::io {

// Tensors are written from the CPU in their own dtype, in name order. Throws IoError (folder missing or not
// writable, disk full); nothing is left behind on failure.
void writeSafetensors(const std::filesystem::path& file, const std::map<std::string, at::Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

} // namespace lumina::io
