#pragma once
// The key mapping of a single file in a model's original (pre-diffusers) layout onto a module registered
// under diffusers names, in the spirit of diffusers loaders/single_file_utils.py's convert_*_to_diffusers
// functions but applied through the strict loader (module_loader.h) instead of a converted copy of the
// weights: checked both ways, so every module tensor has its stored tensor and every stored tensor is used
// once.
#include "core/io/module_loader.h"
#include "core/io/weight_set.h"

#include <functional>
#include <string>
#include <torch/nn/module.h>

namespace lumina::io {

// Where a module tensor is stored: the original key, and its place among the module tensors that share that
// key as row blocks (a fused q/k/v projection: q part 0, k part 1, v part 2).
struct OriginalKey {
    std::string key;
    int part = 0;
};

struct OriginalLayout {
    std::string label;       // the component in messages ("VAE", "Lumina 2 transformer")
    std::string description; // what the tensors must form, e.g. "an original-layout AutoencoderKL with ..."
    std::string hint;        // the question that ends the error, e.g. "Is the file complete and a VAE?"
    // Module key -> where it is stored. Throws Error for a key outside the layout.
    std::function<OriginalKey(const std::string&)> originalOf;
    // Stored keys deliberately left unused (a tensor the reference drops, another component of an all-in-one
    // checkpoint); they are reported by the loader as ignored. Null: none.
    std::function<bool(const std::string&)> ignored;
};

// Sets options.rename and options.splitRows so that loadModuleWeights / checkModuleWeights fill `model` from
// `weights` in `layout`. Throws ModelLoadError naming the file, every missing original key and every unused
// stored key (up to 20 of each) when the two do not match.
void mapOriginalKeys(const torch::nn::Module& model, const WeightSet& weights, const OriginalLayout& layout,
                     LoadOptions& options);

} // namespace lumina::io
