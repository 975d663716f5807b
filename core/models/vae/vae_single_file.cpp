// Reference: diffusers loaders/single_file_utils.py, convert_ldm_vae_checkpoint (the mapping applied here
// through the strict loader instead of a converted copy of the weights).
#include "core/models/vae/vae_single_file.h"

#include "core/models/vae/vae_original_keys.h"
#include "core/util/errors.h"

#include <fmt/format.h>
#include <map>

namespace lumina::models {
namespace {

struct SingleFilePlan {
    VAEConfig config;
    io::LoadOptions options;
};

// Layout, config and the checked key mapping (against the module keys of a meta-device model of that config).
SingleFilePlan planSingleFile(const io::WeightSet& weights, io::LoadOptions options,
                              const std::string& prefix) {
    if (options.rename)
        throw ModelLoadError(
            "VAE single file: LoadOptions::rename is not supported (the key mapping is inferred)");
    if (detectVAEKeyLayout(weights, prefix) == VAEKeyLayout::Diffusers)
        throw ModelLoadError(fmt::format("VAE ({}): the file uses the diffusers key layout, which does not "
                                         "state its configuration; put it "
                                         "in a vae/ folder with its config.json and load the folder",
                                         weights.describe()));
    SingleFilePlan plan{inferOriginalVAEConfig(weights, prefix), std::move(options)};
    const AutoencoderKLImpl names(plan.config, torch::TensorOptions().dtype(c10::kFloat).device(c10::kMeta));
    mapOriginalVAEKeys(names, plan.config, weights, plan.options, prefix);
    plan.options.acceptTrailingUnitDims = true; // attention projections stored as 1x1 convolutions
    if (plan.options.componentLabel == "model") plan.options.componentLabel = "VAE";
    return plan;
}

} // namespace

std::shared_ptr<AutoencoderKLImpl> loadVAESingleFile(const std::filesystem::path& file,
                                                     const io::LoadOptions& options,
                                                     const std::string& prefix) {
    const auto weights = io::WeightSet::open(file);
    const auto plan = planSingleFile(weights, options, prefix);
    return loadVAEWeights(plan.config, weights, plan.options);
}

VAEConfig validateVAESingleFile(const std::filesystem::path& file, const std::string& prefix) {
    const auto weights = io::WeightSet::open(file);
    const auto plan = planSingleFile(weights, {}, prefix);
    const AutoencoderKLImpl model(plan.config, torch::TensorOptions().dtype(c10::kFloat).device(c10::kMeta));
    io::checkModuleWeights(model, weights, plan.options);
    return plan.config;
}

} // namespace lumina::models
