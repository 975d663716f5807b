#pragma once
// Fusing LoRA adapters into a model's Linear (Dense) weights and restoring them, as diffusers' fuse_lora does
// with peft (peft tuners/lora/layer.py, Linear.merge and Linear.get_delta_weight; diffusers loaders/peft.py,
// PeftAdapterMixin.fuse_lora), bit for bit. docs/lumina2.md, LoRA.
#include "core/models/common/dense.h"
#include "core/models/common/lora_adapter.h"

#include <map>
#include <memory>
#include <string>
#include <torch/nn/module.h>
#include <vector>

namespace lumina::models {

// One adapter of a set and its user weight (diffusers' set_adapters weight).
struct WeightedLora {
    std::shared_ptr<const LoraAdapter> adapter;
    double weight = 1.0;
};

// The Dense at `path` in `model`. Throws ModelLoadError naming `source`, the path and what is there instead.
DenseImpl& denseAt(torch::nn::Module& model, const std::string& path, const std::string& source);

// peft's Linear.get_delta_weight: (up @ down) * scaling in `dtype` on `device` (the LoRA matrices cast to the
// base weight's dtype first, as peft moves them there). On the CPU a half/bfloat16 product is computed in
// fp32 and rounded once, as peft does.
at::Tensor loraDeltaWeight(const LoraLayer& layer, double scaling, at::ScalarType dtype, c10::Device device);

// The set of adapters fused into one model. Not thread-safe: call it only while nothing runs the model. The
// model's weights are replaced by new tensors (never written in place, so weights that are views of a mapped
// checkpoint stay untouched), and the untouched originals are kept, so removing or changing the set restores
// them exactly (no subtraction, which is not exact in bfloat16).
class LoraFusion {
public:
    // Makes `model`'s weights the base weights with `loras` fused in this order, each Linear getting
    // W + delta_1 (+ delta_2 ...), rounded to the weight's dtype after each addition, where delta_i uses the
    // scaling `weight_i * alpha / r` multiplied by `fuseScale` (diffusers: set_adapters(names, weights) then
    // fuse_lora(lora_scale=fuseScale)). Whatever was fused before is restored first, so the result never
    // depends on the previous set. Every target is checked before anything changes (ModelLoadError); if
    // fusing fails later (out of memory), the base weights are restored and the error is rethrown.
    void apply(torch::nn::Module& model, const std::vector<WeightedLora>& loras, double fuseScale = 1.0);
    // Restores the base weights of every Linear that a fused adapter touched.
    void clear(torch::nn::Module& model);
    // Whether exactly these adapters (the same objects, same order), weights and scale are fused now.
    bool isApplied(const std::vector<WeightedLora>& loras, double fuseScale = 1.0) const;
    bool empty() const { return m_originals.empty(); }

private:
    std::map<std::string, at::Tensor>
        m_originals; // module path -> its base weight (aliasing the same storage)
    std::vector<WeightedLora> m_applied;
    double m_fuseScale = 1.0;
};

} // namespace lumina::models
