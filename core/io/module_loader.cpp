#include "core/io/module_loader.h"

#include "core/util/errors.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

namespace lumina::io {
namespace {

struct Plan {
    std::map<std::string, torch::Tensor> targets;           // module key -> parameter or buffer
    std::vector<std::pair<std::string, std::string>> pairs; // checkpoint key -> module key
    std::vector<std::string> ignored;
};

std::string shapeString(c10::IntArrayRef s) {
    return fmt::format("[{}]", fmt::join(s, ", "));
}

// The stored shape equals the module's, or (when allowed) is the module's followed by size-1 dimensions.
bool shapeFits(c10::IntArrayRef stored, c10::IntArrayRef wanted, bool trailingUnitDims) {
    if (stored == wanted) return true;
    if (!trailingUnitDims || stored.size() <= wanted.size()) return false;
    return stored.slice(0, wanted.size()) == wanted &&
           std::all_of(stored.begin() + static_cast<std::ptrdiff_t>(wanted.size()), stored.end(),
                       [](int64_t d) { return d == 1; });
}

Plan plan(const torch::nn::Module& module, const WeightSet& weights, const LoadOptions& options) {
    Plan p;
    for (const auto& item : module.named_parameters(true))
        p.targets[item.key()] = item.value();
    for (const auto& item : module.named_buffers(true))
        p.targets[item.key()] = item.value();

    std::vector<std::string> unexpected, mismatched, missing;
    std::set<std::string> filled;
    for (const auto& [key, entry] : weights.entries()) {
        const std::string target = options.rename ? options.rename(key) : key;
        if (target.empty()) {
            p.ignored.push_back(key);
            continue;
        }
        auto it = p.targets.find(target);
        if (it == p.targets.end()) {
            unexpected.push_back(key);
            continue;
        }
        if (!filled.insert(target).second) {
            mismatched.push_back(fmt::format("{} (filled twice)", target));
            continue;
        }
        if (!shapeFits(entry.info->shape, it->second.sizes(), options.acceptTrailingUnitDims)) {
            mismatched.push_back(fmt::format("{}: checkpoint {} vs model {}", key,
                                             shapeString(entry.info->shape),
                                             shapeString(it->second.sizes())));
            continue;
        }
        p.pairs.emplace_back(key, target);
    }
    for (const auto& [key, _] : p.targets)
        if (!filled.count(key) && !(options.optionalKey && options.optionalKey(key))) missing.push_back(key);

    if (!unexpected.empty() || !mismatched.empty() || !missing.empty()) {
        std::string msg = fmt::format("{} ({}): the weights do not fit the model", options.componentLabel,
                                      weights.describe());
        auto list = [&](const char* what, const std::vector<std::string>& keys) {
            if (keys.empty()) return;
            const std::size_t shown = std::min<std::size_t>(keys.size(), 20);
            msg +=
                fmt::format("; {} {} key(s): {}", keys.size(), what,
                            fmt::join(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(shown), ", "));
            if (shown < keys.size()) msg += ", ...";
        };
        list("missing", missing);
        list("unexpected", unexpected);
        list("mis-shaped", mismatched);
        msg += ". Is the config.json from the same model as the weights?";
        throw ModelLoadError(msg);
    }
    return p;
}

} // namespace

void checkModuleWeights(const torch::nn::Module& module, const WeightSet& weights,
                        const LoadOptions& options) {
    plan(module, weights, options);
}

LoadReport loadModuleWeights(torch::nn::Module& module, const WeightSet& weights,
                             const LoadOptions& options) {
    Plan p = plan(module, weights, options);
    LoadReport report;
    report.ignoredKeys = p.ignored;
    uint64_t total = 0;
    for (const auto& [key, _] : p.pairs)
        total += weights.find(key)->info->byteSize();

    torch::NoGradGuard noGrad;
    for (const auto& [key, target] : p.pairs) {
        const auto* entry = weights.find(key);
        auto& dst = p.targets.at(target);
        auto stored = entry->file->tensor(*entry->info);
        if (stored.sizes() != dst.sizes())
            stored = stored.view(dst.sizes()); // trailing unit dims, see plan()
        const auto dtype = (stored.is_floating_point() && options.dtype) ? *options.dtype
                           : stored.is_floating_point()                  ? dst.scalar_type()
                                                                         : stored.scalar_type();
        const bool isMappedView =
            stored.data_ptr() == static_cast<const void*>(entry->file->bytes(*entry->info));
        if (options.device.is_cpu() && stored.scalar_type() == dtype && isMappedView &&
            options.useMappedPages) {
            // Used in place: the parameter is a view of the mapped file (private copy-on-write pages, so a
            // later in-place write never reaches the file). Nothing is read now and no second copy exists;
            // the pages stay file-backed, shared with the page cache and evictable under memory pressure,
            // as safetensors' own safe_open mapping is for diffusers. (A tensor whose bytes are not aligned
            // for its type was already copied by SafetensorsFile::tensor and is copied again below.)
            dst.set_data(stored);
            entry->file->adviseWillNeed(*entry->info);
            report.bytesMapped += entry->info->byteSize();
        } else {
            // Converted or moved one tensor at a time, straight from the mapping: never a full fp32 copy of
            // the model, never two copies of a tensor. A copy to a GPU goes through the driver's pinned
            // staging buffer in chunks (a pageable-source cudaMemcpy), so host memory stays at one tensor.
            dst.set_data(stored.to(options.device, dtype, /*non_blocking=*/false, /*copy=*/true));
        }
        report.bytesRead += entry->info->byteSize();
        ++report.tensorsLoaded;
        if (options.progress) options.progress(report.bytesRead, total);
    }
    // Parameters that the checkpoint did not fill (optional keys) follow the device and dtype too.
    for (auto& [key, t] : p.targets) {
        if (t.device() != options.device ||
            (options.dtype && t.is_floating_point() && t.scalar_type() != *options.dtype))
            t.set_data(t.to(options.device,
                            options.dtype && t.is_floating_point() ? *options.dtype : t.scalar_type()));
    }
    return report;
}

} // namespace lumina::io
