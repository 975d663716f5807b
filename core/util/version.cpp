#include "core/util/version.h"

#include <torch/torch.h>
#include <torch/version.h>

#ifndef LUMINA_VERSION
#define LUMINA_VERSION "0.0.0"
#endif

namespace lumina {

std::string appVersion() {
    return LUMINA_VERSION;
}
std::string torchVersion() {
    return TORCH_VERSION;
}
bool cudaAvailable() {
    return torch::cuda::is_available();
}
bool mpsAvailable() {
    return torch::mps::is_available();
}

std::string autoDeviceName() {
    return cudaAvailable() ? "cuda" : mpsAvailable() ? "mps" : "cpu";
}

std::string runtimeSummary() {
    return "LibTorch " + torchVersion() + " \u00b7 CUDA: " + (cudaAvailable() ? "yes" : "no") +
           " \u00b7 MPS: " + (mpsAvailable() ? "yes" : "no");
}

std::string versionReport(const std::string& programName) {
    std::string s = programName + " " + appVersion() + "\n";
    s += "LibTorch " + torchVersion() + "\n";
    s += std::string("CUDA available: ") + (cudaAvailable() ? "yes" : "no");
    if (cudaAvailable()) s += " (" + std::to_string(torch::cuda::device_count()) + " device(s))";
    s += "\n";
    s += std::string("MPS available: ") + (mpsAvailable() ? "yes" : "no") + "\n";
    return s;
}

} // namespace lumina
