#pragma once
// A LoRA adapter as peft holds it once loaded (peft tuners/lora/layer.py, LoraLayer.update_layer and
// set_scale): for each target Linear, its down (lora_A) and up (lora_B) matrices and the numbers its scaling
// comes from. Readers: core/models/lumina2/lumina2_lora.h; fusing: lora_fusion.h.
#include <ATen/core/Tensor.h>
#include <string>
#include <vector>

namespace lumina::models {

struct LoraLayer {
    std::string module; // the Linear's path in the model (diffusers names), e.g. "layers.0.attn.to_q"
    at::Tensor down; // lora_A.weight (rank, in), as stored (dtype of the file, CPU, possibly a mapped view)
    at::Tensor up;   // lora_B.weight (out, rank)
    double alpha = 1.0;       // lora_alpha of this module
    double rankDivisor = 1.0; // r, or sqrt(r) with use_rslora
    // peft's scaling with a user weight: set_scale computes `scale * lora_alpha / r` in double, left to
    // right; without set_adapters it is `lora_alpha / r`, the same number for weight 1.
    double scaling(double weight) const { return weight * alpha / rankDivisor; }
    int64_t rank() const { return down.size(0); }
};

struct LoraAdapter {
    std::string source; // the file, for messages
    std::vector<LoraLayer> layers;
};

} // namespace lumina::models
