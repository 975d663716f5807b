#pragma once
// The CUDA reference outputs of tests/python/make_gpu_references.py (diffusers / transformers run on the GPU
// over the existing tiny fixtures), read by the gpu-labelled tests.
#include "core/io/safetensors_file.h"
#include "tests/gpu/gpu_test.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace gputest {

inline nlohmann::json readJson(const std::filesystem::path& p) {
    std::ifstream in(p);
    if (!in) throw Failure("missing " + p.string() + " (its fixture test must run first)");
    return nlohmann::json::parse(in);
}

// The reference tensors of one component; skips the calling test, with the reason the script recorded,
// when the reference could not be made (no diffusers / transformers in the Python environment).
inline std::shared_ptr<const lumina::io::SafetensorsFile> cudaReference(const std::string& component) {
    const auto dir = fixtures("gpu_reference");
    const auto manifest = readJson(dir / "manifest.json");
    const auto& entry = manifest["components"][component];
    if (!entry.is_object() || !entry.value("ok", false))
        skip("no CUDA reference for " + component + ": " +
             (entry.is_object() ? entry.value("reason", std::string("unknown")) : std::string("not made")));
    return lumina::io::SafetensorsFile::open(dir / (component + ".safetensors"));
}

} // namespace gputest
