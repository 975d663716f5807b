// The both-ways key check of the single-file loaders (docs/vae.md and docs/lumina2.md, Single-file weights).
#include "core/io/original_key_map.h"

#include "core/util/errors.h"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>
#include <memory>
#include <vector>

namespace lumina::io {
namespace {

std::string listed(const std::vector<std::string>& keys) {
    const std::size_t shown = std::min<std::size_t>(keys.size(), 20);
    auto s =
        fmt::format("{}", fmt::join(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(shown), ", "));
    return shown < keys.size() ? s + ", ..." : s;
}

} // namespace

void mapOriginalKeys(const torch::nn::Module& model, const WeightSet& weights, const OriginalLayout& layout,
                     LoadOptions& options) {
    // original key -> (part, module key), parts in row order
    std::map<std::string, std::vector<std::pair<int, std::string>>> modulesOf;
    const auto add = [&](const std::string& moduleKey) {
        const auto original = layout.originalOf(moduleKey);
        modulesOf[original.key].emplace_back(original.part, moduleKey);
    };
    for (const auto& item : model.named_parameters(true))
        add(item.key());
    for (const auto& item : model.named_buffers(true))
        add(item.key());

    std::vector<std::string> missing, unused;
    auto rename = std::make_shared<std::map<std::string, std::string>>();
    auto split = std::make_shared<std::map<std::string, std::vector<std::string>>>();
    for (auto& [original, parts] : modulesOf) {
        if (!weights.find(original)) {
            missing.push_back(original);
            continue;
        }
        std::sort(parts.begin(), parts.end());
        if (parts.size() == 1) {
            rename->emplace(original, parts.front().second);
            continue;
        }
        auto& keys = (*split)[original];
        for (const auto& [_, moduleKey] : parts)
            keys.push_back(moduleKey);
    }
    for (const auto& [key, _] : weights.entries())
        if (!modulesOf.count(key) && !(layout.ignored && layout.ignored(key))) unused.push_back(key);
    if (!missing.empty() || !unused.empty()) {
        std::string msg = fmt::format("{} ({}): the tensors do not form {}", layout.label, weights.describe(),
                                      layout.description);
        if (!missing.empty())
            msg += fmt::format("; {} missing tensor(s): {}", missing.size(), listed(missing));
        if (!unused.empty()) msg += fmt::format("; {} unused tensor(s): {}", unused.size(), listed(unused));
        throw ModelLoadError(fmt::format("{}. {}", msg, layout.hint));
    }
    // Keys neither renamed nor split are the ignored ones: "" tells the loader to skip them.
    options.rename = [rename](const std::string& key) {
        const auto it = rename->find(key);
        return it == rename->end() ? std::string() : it->second;
    };
    options.splitRows = [split](const std::string& key) {
        const auto it = split->find(key);
        return it == split->end() ? std::vector<std::string>{} : it->second;
    };
}

} // namespace lumina::io
