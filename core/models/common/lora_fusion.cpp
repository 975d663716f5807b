#include "core/models/common/lora_fusion.h"

#include "core/util/errors.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

namespace lumina::models {

DenseImpl& denseAt(torch::nn::Module& model, const std::string& path, const std::string& source) {
    const auto modules = model.named_modules("", /*include_self=*/false);
    const auto* found = modules.find(path);
    if (!found)
        throw ModelLoadError(fmt::format("{}: the LoRA targets '{}', which this model does not have. Is it a "
                                         "LoRA for another model?",
                                         source, path));
    auto* dense = (*found)->as<DenseImpl>();
    if (!dense)
        throw ModelLoadError(fmt::format("{}: the LoRA targets '{}', which is a {}, not a Linear layer",
                                         source, path, (*found)->name()));
    return *dense;
}

at::Tensor loraDeltaWeight(const LoraLayer& layer, double scaling, at::ScalarType dtype, c10::Device device) {
    auto down = layer.down.to(device, dtype);
    auto up = layer.up.to(device, dtype);
    // peft casts half/bfloat16 LoRA matrices on the CPU to fp32 for the product and rounds the scaled result
    // once.
    const bool viaFloat = device.is_cpu() && (dtype == at::kHalf || dtype == at::kBFloat16);
    if (viaFloat) {
        down = down.to(at::kFloat);
        up = up.to(at::kFloat);
    }
    auto delta =
        at::matmul(up, down).mul(scaling); // the scalar is applied in the tensor's dtype, as in Python
    return viaFloat ? delta.to(dtype) : delta;
}

namespace {

// The adapters' layers per target module, in adapter order (peft merges the active adapters in that order).
struct Target {
    DenseImpl* dense;
    std::vector<std::pair<const LoraLayer*, double>> layers; // layer, full scaling
};

std::map<std::string, Target> targetsOf(torch::nn::Module& model, const std::vector<WeightedLora>& loras,
                                        double fuseScale) {
    std::map<std::string, Target> targets;
    for (const auto& lora : loras) {
        if (!lora.adapter) throw InvalidRequest("LoRA set: an entry has no adapter");
        for (const auto& layer : lora.adapter->layers) {
            auto& dense = denseAt(model, layer.module, lora.adapter->source);
            const auto& w = dense.weight;
            if (layer.down.dim() != 2 || layer.up.dim() != 2 || layer.down.size(1) != w.size(1) ||
                layer.up.size(0) != w.size(0) || layer.up.size(1) != layer.down.size(0))
                throw ModelLoadError(fmt::format(
                    "{}: the LoRA for '{}' has lora_A [{}] and lora_B [{}]; the Linear's weight is [{}, {}]",
                    lora.adapter->source, layer.module, fmt::join(layer.down.sizes(), ", "),
                    fmt::join(layer.up.sizes(), ", "), w.size(0), w.size(1)));
            auto& target = targets[layer.module];
            target.dense = &dense;
            // diffusers' fuse_lora multiplies peft's scaling (set_scale) by lora_scale (scale_layer).
            target.layers.emplace_back(&layer, layer.scaling(lora.weight) * fuseScale);
        }
    }
    return targets;
}

} // namespace

void LoraFusion::apply(torch::nn::Module& model, const std::vector<WeightedLora>& loras, double fuseScale) {
    if (isApplied(loras, fuseScale)) return;
    const auto targets = targetsOf(model, loras, fuseScale); // every check before any change
    clear(model);
    torch::NoGradGuard noGrad;
    try {
        for (const auto& [path, target] : targets) {
            auto& weight = target.dense->weight;
            // detach() aliases the storage under a new tensor, so set_data below leaves it the base weight.
            m_originals.emplace(path, weight.detach());
            at::Tensor fused = weight.detach();
            for (const auto& [layer, scaling] : target.layers)
                fused = fused.add(loraDeltaWeight(*layer, scaling, weight.scalar_type(), weight.device()));
            weight.set_data(fused);
        }
    } catch (...) {
        clear(model);
        throw;
    }
    m_applied = loras;
    m_fuseScale = fuseScale;
}

void LoraFusion::clear(torch::nn::Module& model) {
    torch::NoGradGuard noGrad;
    for (const auto& [path, original] : m_originals)
        denseAt(model, path, "LoRA set").weight.set_data(original);
    m_originals.clear();
    m_applied.clear();
    m_fuseScale = 1.0;
}

bool LoraFusion::isApplied(const std::vector<WeightedLora>& loras, double fuseScale) const {
    if (loras.size() != m_applied.size() || (fuseScale != m_fuseScale && !loras.empty())) return false;
    for (std::size_t i = 0; i < loras.size(); ++i)
        if (loras[i].adapter != m_applied[i].adapter || loras[i].weight != m_applied[i].weight) return false;
    return true;
}

} // namespace lumina::models
