#pragma once
// Build and runtime facts shown by --version and the About box.
#include <string>

namespace lumina {

std::string appVersion();
std::string torchVersion();
bool cudaAvailable();
bool mpsAvailable();
// "LibTorch 2.11.0 · CUDA: no · MPS: no": the runtime line of the studio's About box.
std::string runtimeSummary();
// What the device choice `auto` resolves to here: "cuda", then "mps", then "cpu".
std::string autoDeviceName();
// "Lumina Studio 0.1.0 (LibTorch 2.11.0; CUDA: no; MPS: no)" as one line per fact.
std::string versionReport(const std::string& programName);

} // namespace lumina
