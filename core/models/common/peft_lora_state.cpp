#include "core/models/common/peft_lora_state.h"

#include "core/models/common/dense.h"
#include "core/util/errors.h"

#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>
#include <regex>

namespace lumina::models {
namespace {

void replaceAll(std::string& s, const std::string& from, const std::string& to) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

// convert_unet_state_dict_to_peft (convert_state_dict with UNET_TO_DIFFUSERS after KEYS_TO_ALWAYS_REPLACE):
// every ".processor." becomes ".", then the first pattern of the table found in the key is replaced.
std::string olderKeyToPeft(std::string key) {
    static const std::pair<const char*, const char*> kTable[] = {
        {".to_out_lora.up", ".to_out.0.lora_B"},
        {".to_out_lora.down", ".to_out.0.lora_A"},
        {".to_q_lora.down", ".to_q.lora_A"},
        {".to_q_lora.up", ".to_q.lora_B"},
        {".to_k_lora.down", ".to_k.lora_A"},
        {".to_k_lora.up", ".to_k.lora_B"},
        {".to_v_lora.down", ".to_v.lora_A"},
        {".to_v_lora.up", ".to_v.lora_B"},
        {".lora.up", ".lora_B"},
        {".lora.down", ".lora_A"},
        {".to_out.lora_magnitude_vector", ".to_out.0.lora_magnitude_vector"},
    };
    replaceAll(key, ".processor.", ".");
    for (const auto& [from, to] : kTable) {
        if (key.find(from) != std::string::npos) {
            replaceAll(key, from, to);
            break;
        }
    }
    return key;
}

// The LoraConfig numbers diffusers builds from the metadata (LoraConfig(**metadata), peft's defaults r = 8,
// lora_alpha = 8), or nothing when the file has no metadata.
struct Config {
    double r = 8;
    double alpha = 8;
    nlohmann::ordered_json rankPattern = nlohmann::ordered_json::object();
    nlohmann::ordered_json alphaPattern = nlohmann::ordered_json::object();
    bool rsLoRA = false;
};

double numberAt(const nlohmann::ordered_json& j, const std::string& key, double fallback,
                const std::string& source) {
    if (!j.contains(key) || j[key].is_null()) return fallback;
    if (!j[key].is_number())
        throw ModelLoadError(fmt::format("{}: lora_adapter_metadata '{}' is {}, expected a number", source,
                                         key, j[key].dump()));
    return j[key].get<double>();
}

bool flagAt(const nlohmann::ordered_json& j, const std::string& key, const std::string& source) {
    if (!j.contains(key) || j[key].is_null()) return false;
    if (!j[key].is_boolean())
        throw ModelLoadError(fmt::format("{}: lora_adapter_metadata '{}' is {}, expected true or false",
                                         source, key, j[key].dump()));
    return j[key].get<bool>();
}

Config configOf(const nlohmann::ordered_json& j, const std::string& source) {
    if (!j.is_object())
        throw ModelLoadError(fmt::format("{}: lora_adapter_metadata is not a JSON object", source));
    if (flagAt(j, "use_dora", source))
        throw ModelLoadError(
            fmt::format("{}: a DoRA adapter (lora_adapter_metadata use_dora = true); only plain "
                        "LoRA is supported",
                        source));
    if (flagAt(j, "lora_bias", source))
        throw ModelLoadError(
            fmt::format("{}: a LoRA with biases (lora_adapter_metadata lora_bias = true); only "
                        "plain LoRA is supported",
                        source));
    Config c;
    c.r = numberAt(j, "r", c.r, source);
    c.alpha = numberAt(j, "lora_alpha", c.alpha, source);
    c.rsLoRA = flagAt(j, "use_rslora", source);
    for (const auto* key : {"rank_pattern", "alpha_pattern"}) {
        if (!j.contains(key) || j[key].is_null()) continue;
        if (!j[key].is_object())
            throw ModelLoadError(fmt::format("{}: lora_adapter_metadata '{}' is not an object", source, key));
        for (const auto& [pattern, value] : j[key].items())
            if (!value.is_number())
                throw ModelLoadError(
                    fmt::format("{}: lora_adapter_metadata {}['{}'] is {}, expected a number", source, key,
                                pattern, value.dump()));
        (std::string(key) == "rank_pattern" ? c.rankPattern : c.alphaPattern) = j[key];
    }
    return c;
}

// get_pattern_key: the first pattern P (in the config's order) for which `(.*\.)?(P)$` matches the module
// path from its start; its value, or `fallback`.
double patternValue(const nlohmann::ordered_json& patterns, const std::string& module, double fallback,
                    const std::string& source) {
    for (const auto& [pattern, value] : patterns.items()) {
        std::regex re;
        try {
            re = std::regex("(.*\\.)?(" + pattern + ")");
        } catch (const std::regex_error&) {
            throw ModelLoadError(fmt::format(
                "{}: lora_adapter_metadata pattern '{}' is not a valid regular expression", source, pattern));
        }
        if (std::regex_match(module, re)) return value.get<double>();
    }
    return fallback;
}

struct Pair {
    at::Tensor down, up;
};

} // namespace

LoraAdapter peftLoraAdapter(const PeftLoraState& state) {
    const auto& source = state.source;
    if (state.tensors.empty()) throw ModelLoadError(fmt::format("{}: has no LoRA tensors", source));
    // load_lora_adapter renames older key forms when the first key is not a lora_A key.
    const bool older = state.tensors.front().first.find("lora_A") == std::string::npos;
    std::map<std::string, Pair> pairs;
    for (const auto& [storedKey, tensor] : state.tensors) {
        const auto key = older ? olderKeyToPeft(storedKey) : storedKey;
        const auto at = key.rfind(".lora_");
        const auto part = at == std::string::npos ? std::string() : key.substr(at + 1);
        if (part == "lora_magnitude_vector" || part == "lora_magnitude_vector.weight")
            throw ModelLoadError(fmt::format(
                "{}: '{}' belongs to a DoRA adapter; only plain LoRA is supported", source, storedKey));
        if (part == "lora_B.bias")
            throw ModelLoadError(fmt::format(
                "{}: '{}' is a LoRA bias (lora_bias); only plain LoRA is supported", source, storedKey));
        if (part != "lora_A.weight" && part != "lora_B.weight")
            throw ModelLoadError(fmt::format(
                "{}: '{}' is not a LoRA matrix (expected <module>.lora_A.weight and <module>.lora_B.weight)",
                source, storedKey));
        if (!tensor.is_floating_point() || tensor.dim() != 2)
            throw ModelLoadError(fmt::format("{}: '{}' has shape [{}] and dtype {}; a LoRA matrix is a 2-D "
                                             "floating-point tensor",
                                             source, storedKey, fmt::join(tensor.sizes(), ", "),
                                             c10::toString(tensor.scalar_type())));
        auto& pair = pairs[key.substr(0, at)];
        (part == "lora_A.weight" ? pair.down : pair.up) = tensor;
    }

    const auto config =
        state.config ? std::optional<Config>(configOf(*state.config, source)) : std::optional<Config>();
    LoraAdapter adapter{source, {}};
    for (const auto& [module, pair] : pairs) {
        if (!pair.down.defined() || !pair.up.defined())
            throw ModelLoadError(fmt::format("{}: '{}' has {} but no {}", source, module,
                                             pair.down.defined() ? "lora_A.weight" : "lora_B.weight",
                                             pair.down.defined() ? "lora_B.weight" : "lora_A.weight"));
        const int64_t rank = pair.down.size(0);
        if (pair.up.size(1) != rank)
            throw ModelLoadError(fmt::format("{}: '{}' has lora_A [{}] and lora_B [{}]: the ranks differ",
                                             source, module, fmt::join(pair.down.sizes(), ", "),
                                             fmt::join(pair.up.sizes(), ", ")));
        LoraLayer layer{module, pair.down, pair.up, static_cast<double>(rank), static_cast<double>(rank)};
        if (config) {
            // LoraModel._create_and_replace: r and lora_alpha per module from the patterns, else the
            // config's.
            const double r = patternValue(config->rankPattern, module, config->r, source);
            if (r != static_cast<double>(rank))
                throw ModelLoadError(
                    fmt::format("{}: lora_adapter_metadata gives '{}' rank {}, but its lora_A has {} rows",
                                source, module, r, rank));
            layer.alpha = patternValue(config->alphaPattern, module, config->alpha, source);
            layer.rankDivisor = config->rsLoRA ? std::sqrt(r) : r;
        }
        adapter.layers.push_back(std::move(layer));
    }
    return adapter;
}

void checkLoraFitsModel(const LoraAdapter& adapter, const torch::nn::Module& model,
                        const std::string& modelLabel) {
    const auto modules = model.named_modules("", /*include_self=*/false);
    std::vector<std::string> problems;
    for (const auto& layer : adapter.layers) {
        const auto* found = modules.find(layer.module);
        if (!found) {
            problems.push_back(fmt::format("'{}' does not exist", layer.module));
            continue;
        }
        const auto* dense = (*found)->as<DenseImpl>();
        if (!dense) {
            problems.push_back(
                fmt::format("'{}' is a {}, not a Linear layer", layer.module, (*found)->name()));
            continue;
        }
        const auto& w = dense->weight;
        if (layer.down.size(1) != w.size(1) || layer.up.size(0) != w.size(0))
            problems.push_back(fmt::format("'{}': lora_A [{}] and lora_B [{}] do not fit its weight [{}, {}] "
                                           "(lora_A must be [rank, {}], lora_B [{}, rank])",
                                           layer.module, fmt::join(layer.down.sizes(), ", "),
                                           fmt::join(layer.up.sizes(), ", "), w.size(0), w.size(1), w.size(1),
                                           w.size(0)));
    }
    if (problems.empty()) return;
    const std::size_t shown = std::min<std::size_t>(problems.size(), 20);
    throw ModelLoadError(fmt::format(
        "{}: the LoRA does not fit the {}: {}{}. Is it a LoRA for another model?", adapter.source, modelLabel,
        fmt::join(problems.begin(), problems.begin() + static_cast<std::ptrdiff_t>(shown), "; "),
        shown < problems.size() ? fmt::format("; and {} more", problems.size() - shown) : ""));
}

} // namespace lumina::models
