#pragma once
// Strict loading of a WeightSet into a torch::nn::Module whose parameters and buffers are registered
// under the checkpoint's own key names: every expected key present with its shape, every unexpected
// key reported, all problems in one error; dtype converted once per tensor on the way to the device.
#include "core/io/weight_set.h"

#include <functional>
#include <optional>
#include <string>
#include <torch/nn/module.h>

namespace lumina::io {

// (bytes done, bytes total) of the component being loaded.
using LoadProgress = std::function<void(uint64_t, uint64_t)>;

struct LoadOptions {
    c10::Device device = c10::kCPU;
    // Floating-point tensors are converted to this dtype; nullopt keeps each module tensor's dtype.
    std::optional<c10::ScalarType> dtype;
    // Maps a checkpoint key to the module key it fills (legacy names); empty string: ignore the key.
    std::function<std::string(const std::string&)> rename;
    // Module keys that are filled by the model itself after loading (for example tied copies).
    std::function<bool(const std::string&)> optionalKey;
    LoadProgress progress;
    std::string componentLabel = "model";
    // On the CPU, a tensor stored in the wanted dtype becomes a view of the mapped file instead of a copy
    // (docs/bench-io.md, Loading). Off: every tensor is copied into private memory.
    bool useMappedPages = true;
    // Accept a stored tensor whose shape is the module tensor's followed by extra size-1 dimensions (a 1x1
    // convolution's [out, in, 1, 1] filling a Linear's [out, in]); it is viewed in the module's shape.
    bool acceptTrailingUnitDims = false;
    // A checkpoint tensor that fills several module tensors (a fused q/k/v projection): the module keys it
    // fills, in order, each taking the next rows (dimension 0) of its own length; the other dimensions and
    // the row total must match. An empty list leaves the key to `rename`. Each part is a view of the stored
    // tensor, so a CPU load in the stored dtype still uses the mapped file without a copy.
    std::function<std::vector<std::string>(const std::string&)> splitRows;
};

struct LoadReport {
    std::size_t tensorsLoaded = 0;
    std::vector<std::string> ignoredKeys;
    uint64_t bytesRead = 0;   // tensor bytes loaded, mapped or copied
    uint64_t bytesMapped = 0; // of those, used in place from the mapped file (CPU, dtype unchanged)
};

// Throws ModelLoadError listing all missing, unexpected and mis-shaped keys by name.
LoadReport loadModuleWeights(torch::nn::Module& module, const WeightSet& weights, const LoadOptions& options);

// Only the checks of loadModuleWeights (names and shapes), without reading any tensor data.
void checkModuleWeights(const torch::nn::Module& module, const WeightSet& weights,
                        const LoadOptions& options);

} // namespace lumina::io
