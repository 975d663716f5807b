#pragma once
// Shared helpers of the VAE tests: fixture paths and reference tensors.
#include "core/io/safetensors_file.h"
#include "core/models/vae/autoencoder_kl.h"

#include <QtTest>
#include <filesystem>
#include <torch/torch.h>

namespace vaetest {

inline std::filesystem::path fixture(const std::string& name) {
    return std::filesystem::path(qEnvironmentVariable("LUMINA_FIXTURES_DIR").toStdString()) / "vae_fixtures" /
           name;
}

inline at::Tensor ref(const std::string& name, const std::string& tensor) {
    return lumina::io::SafetensorsFile::open(fixture(name) / "ref.safetensors")->tensor(tensor).clone();
}

inline std::shared_ptr<lumina::models::AutoencoderKLImpl> load(const std::string& name,
                                                               c10::ScalarType dtype = c10::kFloat) {
    lumina::io::LoadOptions o;
    o.dtype = dtype;
    return lumina::models::loadVAE(fixture(name) / "vae", o);
}

inline double maxAbs(const at::Tensor& a, const at::Tensor& b) {
    return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

} // namespace vaetest
