// Reference: ComfyUI comfy/text_encoders/llama.py (Gemma2_2B_Config, Gemma2_2B) and comfy/sd.py
// (detect_te_model, load_text_encoder_state_dicts: the Gemma 2 test key and the spiece_model tensor); the
// module tree is transformers models/gemma2/modeling_gemma2.py, Gemma2Model.
#include "core/models/gemma/gemma_single_file.h"

#include "core/io/original_key_map.h"
#include "core/util/errors.h"
#include "core/util/log.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <vector>

namespace lumina::models {
namespace {

constexpr const char* kEmbedKey = "embed_tokens.weight";

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
}

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The last dot-separated part of a key.
std::string lastPart(const std::string& key) {
    const auto dot = key.rfind('.');
    return dot == std::string::npos ? key : key.substr(dot + 1);
}

[[noreturn]] void fail(const io::WeightSet& weights, const std::string& what) {
    throw ModelLoadError(fmt::format("Gemma text encoder ({}): {}", weights.describe(), what));
}

// Stored next to the encoder by ComfyUI and never part of it: the tokenizer's SentencePiece bytes
// (SDTokenizer state_dict "spiece_model") and SDClipModel's logit_scale.
bool isEncoderCompanion(const std::string& key) {
    const auto last = lastPart(key);
    return last == "spiece_model" || last == "logit_scale";
}

} // namespace

GemmaConfig publishedGemma2Config() {
    GemmaConfig c;
    c.family = GemmaConfig::Family::Gemma2;
    c.vocabSize = 256000;
    c.hiddenSize = 2304;
    c.intermediateSize = 9216;
    c.numHiddenLayers = 26;
    c.numAttentionHeads = 8;
    c.numKeyValueHeads = 4;
    c.headDim = 256;
    c.rmsNormEps = 1e-6;
    c.ropeTheta = 10000.0;
    c.activation = GemmaConfig::Activation::GeluTanh;
    c.hiddenAct = "gelu_pytorch_tanh";
    c.queryPreAttnScalar = 256.0;
    c.attnLogitSoftcap = 50.0;
    c.slidingWindow = 4096;
    for (int64_t i = 0; i < c.numHiddenLayers; ++i)
        c.slidingLayers.push_back(i % 2 == 0);
    return c;
}

GemmaFilePrefix gemmaPrefixFrom(const std::string& prefix) {
    const std::string model = "model.";
    return {prefix, endsWith(prefix, model) ? prefix.substr(0, prefix.size() - model.size()) : prefix};
}

GemmaFilePrefix detectGemmaPrefix(const io::WeightSet& weights) {
    std::vector<std::string> prefixes;
    for (const auto& [key, _] : weights.entries())
        if (endsWith(key, kEmbedKey) && (key.size() == std::string(kEmbedKey).size() ||
                                         key[key.size() - std::string(kEmbedKey).size() - 1] == '.'))
            prefixes.push_back(key.substr(0, key.size() - std::string(kEmbedKey).size()));
    if (prefixes.size() == 1) return gemmaPrefixFrom(prefixes.front());
    if (prefixes.empty())
        fail(weights,
             fmt::format("no text-encoder tensors: no embed_tokens.weight among its {} tensors (first "
                         "keys: {}). Is this a transformer or VAE file given as the text encoder?",
                         weights.entries().size(), weights.firstKeys(4)));
    fail(weights,
         fmt::format("{} text encoders (embed_tokens.weight under \"{}\"); give the prefix of the one "
                     "to load",
                     prefixes.size(), fmt::join(prefixes, "\", \"")));
}

GemmaConfig inferGemmaSingleFileConfig(const io::WeightSet& weights, const GemmaFilePrefix& where,
                                       const GemmaConfig& unstored) {
    const auto& p = where.prefix;
    const auto dim = [&](const std::string& key, std::size_t rank, std::size_t d) {
        const auto* e = weights.find(p + key);
        if (!e)
            fail(weights, fmt::format("tensor {}{} is missing; every Gemma 2 text encoder has it", p, key));
        if (e->info->shape.size() != rank)
            fail(weights, fmt::format("tensor {}{} has shape [{}]; expected {} dimensions", p, key,
                                      fmt::join(e->info->shape, ", "), rank));
        return e->info->shape[d];
    };
    if (weights.find(p + "layers.0.self_attn.q_norm.weight"))
        fail(weights, fmt::format("{}layers.0.self_attn.q_norm.weight is the layout of Gemma 3, not of "
                                  "Lumina-Image 2.0's Gemma 2 text encoder",
                                  p));
    if (!weights.find(p + "layers.0.post_feedforward_layernorm.weight") &&
        weights.find(p + "layers.0.input_layernorm.weight"))
        fail(weights, fmt::format("there is no {}layers.0.post_feedforward_layernorm.weight: this is a Gemma "
                                  "(1) text encoder, the Lumina-Next one, which loads from its diffusers "
                                  "text_encoder folder; a Lumina-Image 2.0 single file holds Gemma 2",
                                  p));
    GemmaConfig c = unstored;
    c.family = GemmaConfig::Family::Gemma2;
    c.vocabSize = dim(kEmbedKey, 2, 0);
    c.hiddenSize = dim(kEmbedKey, 2, 1);
    c.numHiddenLayers = 0;
    while (weights.find(fmt::format("{}layers.{}.input_layernorm.weight", p, c.numHiddenLayers)))
        ++c.numHiddenLayers;
    if (c.numHiddenLayers < 2)
        fail(weights,
             fmt::format("{} decoder layer(s) under {}layers.; the encoder output is layer N-2, so at "
                         "least 2 are needed",
                         c.numHiddenLayers, p));
    c.intermediateSize = dim("layers.0.mlp.gate_proj.weight", 2, 0);
    const int64_t qRows = dim("layers.0.self_attn.q_proj.weight", 2, 0);
    const int64_t kRows = dim("layers.0.self_attn.k_proj.weight", 2, 0);
    if (c.headDim <= 0 || qRows % c.headDim != 0 || kRows % c.headDim != 0 || kRows == 0 ||
        (qRows / c.headDim) % (kRows / c.headDim) != 0)
        fail(weights,
             fmt::format("q_proj has {} and k_proj {} rows: not whole heads of head_dim {} (not stored "
                         "in the file; the published Gemma-2-2B value is assumed) with as many query "
                         "heads per key/value head",
                         qRows, kRows, c.headDim));
    c.numAttentionHeads = qRows / c.headDim;
    c.numKeyValueHeads = kRows / c.headDim;
    // Gemma2Config's default layer_types: even layers slide (the published config.json has no layer_types).
    c.slidingLayers.clear();
    for (int64_t i = 0; i < c.numHiddenLayers; ++i)
        c.slidingLayers.push_back(i % 2 == 0);
    log::info("Gemma text encoder ({}): single file{}, Gemma 2, hidden {}, {} layers, {} heads ({} kv), "
              "vocabulary {}",
              weights.describe(), p.empty() ? "" : fmt::format(" under {}", p), c.hiddenSize,
              c.numHiddenLayers, c.numAttentionHeads, c.numKeyValueHeads, c.vocabSize);
    return c;
}

namespace {

struct SingleFilePlan {
    GemmaConfig config;
    io::LoadOptions options;
};

SingleFilePlan planSingleFile(const io::WeightSet& weights, io::LoadOptions options,
                              const std::optional<std::string>& prefix, const GemmaConfig& unstored) {
    if (options.rename || options.splitRows)
        throw ModelLoadError("Gemma text encoder single file: LoadOptions::rename and splitRows are not "
                             "supported (the key mapping is inferred)");
    const auto where = prefix ? gemmaPrefixFrom(*prefix) : detectGemmaPrefix(weights);
    SingleFilePlan plan{inferGemmaSingleFileConfig(weights, where, unstored), std::move(options)};
    io::OriginalLayout layout;
    layout.label = "Gemma text encoder";
    layout.description = fmt::format("a Gemma 2 encoder with hidden size {} and {} layers under \"{}\"",
                                     plan.config.hiddenSize, plan.config.numHiddenLayers, where.prefix);
    layout.hint = "Is the file complete and a Gemma 2 text encoder?";
    layout.originalOf = [p = where.prefix](const std::string& moduleKey) {
        return io::OriginalKey{p + moduleKey};
    };
    // What loadGemma skips (the last layer, the final norm, lm_head), the tokenizer bytes and logit_scale,
    // and in an all-in-one checkpoint everything outside the encoder's root.
    layout.ignored = [where,
                      lastLayer = fmt::format("{}layers.{}.", where.prefix, plan.config.numHiddenLayers - 1)](
                         const std::string& key) {
        if (!startsWith(key, where.root)) return true;
        return startsWith(key, lastLayer) || key == where.prefix + "norm.weight" ||
               key == where.root + "lm_head.weight" || isEncoderCompanion(key);
    };
    const GemmaModelImpl names(plan.config, torch::TensorOptions().dtype(torch::kFloat).device(torch::kMeta));
    io::mapOriginalKeys(names, weights, layout, plan.options);
    if (plan.options.componentLabel == "model") plan.options.componentLabel = "text_encoder";
    return plan;
}

} // namespace

std::shared_ptr<GemmaModelImpl> loadGemmaSingleFile(const std::filesystem::path& file,
                                                    const io::LoadOptions& options,
                                                    const std::optional<std::string>& prefix,
                                                    const GemmaConfig& unstored) {
    const auto weights = io::WeightSet::open(file);
    const auto plan = planSingleFile(weights, options, prefix, unstored);
    return loadGemmaWeights(plan.config, weights, plan.options);
}

GemmaConfig validateGemmaSingleFile(const std::filesystem::path& file,
                                    const std::optional<std::string>& prefix, const GemmaConfig& unstored) {
    const auto weights = io::WeightSet::open(file);
    const auto plan = planSingleFile(weights, {}, prefix, unstored);
    const GemmaModelImpl model(plan.config, torch::TensorOptions().dtype(torch::kFloat).device(torch::kMeta));
    io::checkModuleWeights(model, weights, plan.options);
    return plan.config;
}

} // namespace lumina::models
