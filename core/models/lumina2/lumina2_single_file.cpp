// Reference: diffusers loaders/single_file_utils.py, convert_lumina2_to_diffusers (the mapping applied here
// through the strict loader instead of a converted copy of the weights).
#include "core/models/lumina2/lumina2_single_file.h"

#include "core/io/original_key_map.h"
#include "core/models/lumina2/lumina2_original_keys.h"
#include "core/util/errors.h"

namespace lumina::models {
namespace {

struct SingleFilePlan {
    Lumina2Config config;
    io::LoadOptions options;
};

// Layout, config and the checked key mapping (against the module keys of a meta-device model of that config).
SingleFilePlan planSingleFile(const io::WeightSet& weights, io::LoadOptions options,
                              const Lumina2Config& unstored) {
    if (options.rename || options.splitRows)
        throw ModelLoadError("Lumina 2 transformer single file: LoadOptions::rename and splitRows are not "
                             "supported (the key mapping is inferred)");
    const auto file = detectLumina2OriginalFile(weights);
    SingleFilePlan plan{inferOriginalLumina2Config(weights, file, unstored), std::move(options)};
    const Lumina2TransformerImpl names(plan.config, at::TensorOptions().dtype(at::kFloat).device(at::kMeta));
    io::mapOriginalKeys(names, weights, originalLumina2Layout(plan.config, file), plan.options);
    if (plan.options.componentLabel == "model") plan.options.componentLabel = "transformer";
    return plan;
}

} // namespace

std::shared_ptr<Lumina2TransformerImpl> loadLumina2TransformerSingleFile(const std::filesystem::path& file,
                                                                         const io::LoadOptions& options,
                                                                         const Lumina2Config& unstored) {
    const auto weights = io::WeightSet::open(file);
    const auto plan = planSingleFile(weights, options, unstored);
    return loadLumina2TransformerWeights(plan.config, weights, plan.options);
}

Lumina2Config validateLumina2TransformerSingleFile(const std::filesystem::path& file,
                                                   const Lumina2Config& unstored) {
    const auto weights = io::WeightSet::open(file);
    const auto plan = planSingleFile(weights, {}, unstored);
    const Lumina2TransformerImpl model(plan.config, at::TensorOptions().dtype(at::kFloat).device(at::kMeta));
    io::checkModuleWeights(model, weights, plan.options);
    return plan.config;
}

} // namespace lumina::models
