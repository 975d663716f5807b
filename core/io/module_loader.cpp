#include "core/io/module_loader.h"

#include "core/util/errors.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <optional>
#include <set>
#include <torch/torch.h>

namespace lumina::io {
namespace {

// One module tensor filled from a checkpoint tensor: all of it, or `rows` rows from `firstRow` (splitRows).
struct Assignment {
    std::string key;    // checkpoint key
    std::string target; // module key
    int64_t firstRow = 0;
    std::optional<int64_t> rows;
};

struct Plan {
    std::map<std::string, torch::Tensor> targets; // module key -> parameter or buffer
    std::vector<Assignment> pairs;
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

// The parts of a stored tensor that splitRows shares out: each module key must exist, be filled once and
// match the stored shape but for its rows, and the rows must add up to the stored tensor's.
void planRowParts(Plan& p, const std::string& key, c10::IntArrayRef stored,
                  const std::vector<std::string>& parts, std::set<std::string>& filled,
                  std::vector<std::string>& unexpected, std::vector<std::string>& mismatched) {
    int64_t row = 0;
    std::vector<std::string> shapes;
    bool fits = !stored.empty();
    std::vector<Assignment> planned;
    for (const auto& target : parts) {
        auto it = p.targets.find(target);
        if (it == p.targets.end()) {
            unexpected.push_back(fmt::format("{} (part {})", key, target));
            return;
        }
        if (!filled.insert(target).second) {
            mismatched.push_back(fmt::format("{} (filled twice)", target));
            return;
        }
        const auto wanted = it->second.sizes();
        shapes.push_back(shapeString(wanted));
        fits = fits && wanted.size() == stored.size() && wanted.slice(1) == stored.slice(1);
        planned.push_back({key, target, row, wanted.empty() ? 0 : wanted[0]});
        row += wanted.empty() ? 0 : wanted[0];
    }
    if (!fits || row != stored[0]) {
        mismatched.push_back(fmt::format("{}: checkpoint {} vs model parts {} stacked by rows", key,
                                         shapeString(stored), fmt::join(shapes, " + ")));
        return;
    }
    p.pairs.insert(p.pairs.end(), planned.begin(), planned.end());
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
        const auto parts = options.splitRows ? options.splitRows(key) : std::vector<std::string>{};
        if (!parts.empty()) {
            planRowParts(p, key, entry.info->shape, parts, filled, unexpected, mismatched);
            continue;
        }
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
        p.pairs.push_back({key, target, 0, std::nullopt});
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
    // Bytes of the stored tensor that an assignment uses: all of it, or its share of rows.
    const auto bytesOf = [&](const Assignment& a) {
        const auto* info = weights.find(a.key)->info;
        return a.rows
                   ? info->byteSize() / static_cast<uint64_t>(info->shape[0]) * static_cast<uint64_t>(*a.rows)
                   : info->byteSize();
    };
    uint64_t total = 0;
    for (const auto& a : p.pairs)
        total += bytesOf(a);

    torch::NoGradGuard noGrad;
    for (const auto& a : p.pairs) {
        const auto* entry = weights.find(a.key);
        auto& dst = p.targets.at(a.target);
        auto stored = entry->file->tensor(*entry->info);
        const bool isMappedView =
            stored.data_ptr() == static_cast<const void*>(entry->file->bytes(*entry->info));
        if (a.rows) stored = stored.narrow(0, a.firstRow, *a.rows); // a contiguous view (splitRows)
        if (stored.sizes() != dst.sizes())
            stored = stored.view(dst.sizes()); // trailing unit dims, see plan()
        const auto dtype = (stored.is_floating_point() && options.dtype) ? *options.dtype
                           : stored.is_floating_point()                  ? dst.scalar_type()
                                                                         : stored.scalar_type();
        if (options.device.is_cpu() && stored.scalar_type() == dtype && isMappedView &&
            options.useMappedPages) {
            // Used in place: the parameter is a view of the mapped file (private copy-on-write pages, so a
            // later in-place write never reaches the file). Nothing is read now and no second copy exists;
            // the pages stay file-backed, shared with the page cache and evictable under memory pressure,
            // as safetensors' own safe_open mapping is for diffusers. (A tensor whose bytes are not aligned
            // for its type was already copied by SafetensorsFile::tensor and is copied again below.)
            dst.set_data(stored);
            entry->file->adviseWillNeed(*entry->info);
            report.bytesMapped += bytesOf(a);
        } else {
            // Converted or moved one tensor at a time, straight from the mapping: never a full fp32 copy of
            // the model, never two copies of a tensor. A copy to a GPU goes through the driver's pinned
            // staging buffer in chunks (a pageable-source cudaMemcpy), so host memory stays at one tensor.
            dst.set_data(stored.to(options.device, dtype, /*non_blocking=*/false, /*copy=*/true));
        }
        report.bytesRead += bytesOf(a);
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
