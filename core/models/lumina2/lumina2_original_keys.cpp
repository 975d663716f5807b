// Reference: diffusers loaders/single_file_utils.py, convert_lumina2_to_diffusers (LUMINA_KEY_MAP,
// ATTENTION_NORM_MAP, CONTEXT_REFINER_MAP, FINAL_LAYER_MAP, convert_lumina_attn_to_diffusers) and
// CHECKPOINT_KEY_NAMES["lumina2"]; the module tree of transformer_lumina2.py, Lumina2Transformer2DModel.
#include "core/models/lumina2/lumina2_original_keys.h"

#include "core/models/common/feed_forward_width.h"
#include "core/util/errors.h"
#include "core/util/log.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>
#include <regex>
#include <vector>

namespace lumina::models {
namespace {

// The Comfy-Org / ComfyUI all-in-one prefix that convert_lumina2_to_diffusers strips.
constexpr const char* kAllInOnePrefix = "model.diffusion_model.";

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
}

[[noreturn]] void fail(const io::WeightSet& weights, const std::string& what) {
    throw ModelLoadError(fmt::format("Lumina 2 transformer ({}): {}", weights.describe(), what));
}

bool hasKeyWith(const io::WeightSet& weights, const std::string& prefix, const std::string& part) {
    for (const auto& [key, _] : weights.entries())
        if (startsWith(key, prefix) && key.find(part, prefix.size()) != std::string::npos) return true;
    return false;
}

// The number of blocks `group`.0, `group`.1, ... that have `tensor`.
int64_t countBlocks(const io::WeightSet& weights, const std::string& prefix, const char* group,
                    const char* tensor) {
    int64_t n = 0;
    while (weights.find(fmt::format("{}{}.{}.{}", prefix, group, n, tensor)))
        ++n;
    return n;
}

} // namespace

Lumina2OriginalFile detectLumina2OriginalFile(const io::WeightSet& weights) {
    Lumina2OriginalFile file;
    if (hasKeyWith(weights, kAllInOnePrefix, "")) file.prefix = kAllInOnePrefix;
    const auto& p = file.prefix;
    if (weights.find(p + "time_caption_embed.caption_embedder.0.weight") ||
        weights.find(p + "layers.0.attn.to_q.weight"))
        fail(weights,
             "the file uses the diffusers key layout (time_caption_embed., attn.to_q), which does not "
             "state its configuration; put it in a transformer/ folder with its config.json and load "
             "the folder");
    if (weights.find(p + "layers.0.attention.wq.weight"))
        fail(weights,
             fmt::format("{}layers.0.attention.wq.weight (separate q, k, v projections) is the layout of "
                         "a Lumina-Next transformer, not Lumina-Image 2.0 (a fused attention.qkv)",
                         p));
    if (weights.find(p + "cap_embedder.0.weight") && weights.find(p + "layers.0.attention.qkv.weight"))
        return file;
    fail(weights,
         fmt::format(
             "no Lumina-Image 2.0 transformer tensors: it has neither {0}cap_embedder.0.weight nor "
             "{0}layers.0.attention.qkv.weight among its {1} tensors (first keys: {2}). Is this a VAE or "
             "text-encoder file given as the transformer?",
             p, weights.entries().size(), weights.firstKeys(4)));
}

io::OriginalKey originalLumina2Key(const std::string& moduleKey, const std::string& prefix) {
    // Top-level modules: FINAL_LAYER_MAP and the embedder entries of LUMINA_KEY_MAP, reversed.
    static const std::vector<std::pair<std::string, std::string>> kTop{
        {"x_embedder.", "x_embedder."},
        {"time_caption_embed.timestep_embedder.linear_1.", "t_embedder.mlp.0."},
        {"time_caption_embed.timestep_embedder.linear_2.", "t_embedder.mlp.2."},
        {"time_caption_embed.caption_embedder.", "cap_embedder."},
        {"norm_out.linear_1.", "final_layer.adaLN_modulation.1."},
        {"norm_out.linear_2.", "final_layer.linear."},
    };
    for (const auto& [diffusers, original] : kTop)
        if (startsWith(moduleKey, diffusers)) return {prefix + original + moduleKey.substr(diffusers.size())};
    // Block tensors: LUMINA_KEY_MAP, ATTENTION_NORM_MAP and CONTEXT_REFINER_MAP (norm1 without modulation),
    // reversed; convert_lumina_attn_to_diffusers splits attention.qkv into to_q, to_k, to_v in that order.
    static const std::map<std::string, io::OriginalKey> kBlock{
        {"attn.to_q.weight", {"attention.qkv.weight", 0}},
        {"attn.to_k.weight", {"attention.qkv.weight", 1}},
        {"attn.to_v.weight", {"attention.qkv.weight", 2}},
        {"attn.to_out.0.weight", {"attention.out.weight"}},
        {"attn.norm_q.weight", {"attention.q_norm.weight"}},
        {"attn.norm_k.weight", {"attention.k_norm.weight"}},
        {"feed_forward.linear_1.weight", {"feed_forward.w1.weight"}},
        {"feed_forward.linear_2.weight", {"feed_forward.w2.weight"}},
        {"feed_forward.linear_3.weight", {"feed_forward.w3.weight"}},
        {"norm1.norm.weight", {"attention_norm1.weight"}},
        {"norm1.weight", {"attention_norm1.weight"}},
        {"norm1.linear.weight", {"adaLN_modulation.1.weight"}},
        {"norm1.linear.bias", {"adaLN_modulation.1.bias"}},
        {"norm2.weight", {"attention_norm2.weight"}},
        {"ffn_norm1.weight", {"ffn_norm1.weight"}},
        {"ffn_norm2.weight", {"ffn_norm2.weight"}},
    };
    static const std::regex kBlockKey(R"(((?:noise_refiner|context_refiner|layers)\.\d+)\.(.+))");
    std::smatch m;
    if (std::regex_match(moduleKey, m, kBlockKey)) {
        const auto it = kBlock.find(m[2].str());
        if (it != kBlock.end())
            return {fmt::format("{}{}.{}", prefix, m[1].str(), it->second.key), it->second.part};
    }
    throw Error(fmt::format("Lumina 2 transformer: {} is not a Lumina2Transformer2DModel key", moduleKey));
}

Lumina2Config inferOriginalLumina2Config(const io::WeightSet& weights, const Lumina2OriginalFile& file,
                                         const Lumina2Config& unstored) {
    const auto& p = file.prefix;
    // Dimension `d` of tensor `key` (after the prefix), which must have `rank` dimensions.
    const auto dim = [&](const std::string& key, std::size_t rank, std::size_t d) {
        const auto* e = weights.find(p + key);
        if (!e)
            fail(weights,
                 fmt::format("tensor {}{} is missing; every Lumina-Image 2.0 transformer has it", p, key));
        if (e->info->shape.size() != rank)
            fail(weights, fmt::format("tensor {}{} has shape [{}]; expected {} dimensions", p, key,
                                      fmt::join(e->info->shape, ", "), rank));
        return e->info->shape[d];
    };
    Lumina2Config c = unstored;
    c.hiddenSize = dim("x_embedder.weight", 2, 0);
    const int64_t patchArea = c.patchSize * c.patchSize;
    const int64_t patchFeatures = dim("x_embedder.weight", 2, 1);
    const int64_t outFeatures = dim("final_layer.linear.weight", 2, 0);
    if (patchFeatures % patchArea != 0 || outFeatures % patchArea != 0)
        fail(weights,
             fmt::format("x_embedder takes {} and final_layer.linear gives {} features per patch, not "
                         "multiples of patch_size^2 = {} (patch_size is not stored in the file; {} "
                         "assumed, as published)",
                         patchFeatures, outFeatures, patchArea, c.patchSize));
    c.inChannels = patchFeatures / patchArea;
    c.outChannels = outFeatures / patchArea;
    c.capFeatDim = dim("cap_embedder.0.weight", 1, 0);
    c.numLayers = countBlocks(weights, p, "layers", "attention.qkv.weight");
    c.numRefinerLayers = countBlocks(weights, p, "noise_refiner", "attention.qkv.weight");
    const int64_t contextRefiners = countBlocks(weights, p, "context_refiner", "attention.qkv.weight");
    if (contextRefiners != c.numRefinerLayers)
        fail(weights,
             fmt::format("{} noise_refiner blocks but {} context_refiner blocks; Lumina-Image 2.0 has "
                         "as many of each",
                         c.numRefinerLayers, contextRefiners));

    const int64_t headDim = dim("layers.0.attention.q_norm.weight", 1, 0);
    if (headDim <= 0 || c.hiddenSize % headDim != 0)
        fail(weights,
             fmt::format("the head dimension {} (attention.q_norm) does not divide the hidden size {}",
                         headDim, c.hiddenSize));
    c.numAttentionHeads = c.hiddenSize / headDim;
    // qkv stacks heads * headDim query rows and kv_heads * headDim rows each for keys and values.
    const int64_t qkvRows = dim("layers.0.attention.qkv.weight", 2, 0);
    const int64_t kvRows = qkvRows - c.hiddenSize;
    if (kvRows <= 0 || kvRows % (2 * headDim) != 0)
        fail(weights,
             fmt::format("layers.0.attention.qkv.weight has {} rows: not {} query rows plus two equal "
                         "key/value blocks of whole heads of {}",
                         qkvRows, c.hiddenSize, headDim));
    c.numKvHeads = kvRows / (2 * headDim);

    // The width comes from multiple_of and ffn_dim_multiplier (LuminaFeedForward), which one width cannot
    // tell apart: the published pair when it gives this width, otherwise a pair that gives exactly this
    // width.
    const int64_t ffnWidth = dim("layers.0.feed_forward.w1.weight", 2, 0);
    if (ffnWidth <= 0) fail(weights, "layers.0.feed_forward.w1.weight has no rows");
    const auto published = lumina2ImageConfig();
    c.multipleOf = published.multipleOf;
    c.ffnDimMultiplier = published.ffnDimMultiplier;
    if (c.ffnInnerDim() != ffnWidth) {
        // Any inner width in (0, ffnWidth] rounds up to ffnWidth as a multiple of ffnWidth.
        c.multipleOf = ffnWidth;
        c.ffnDimMultiplier.reset();
        if (4 * c.hiddenSize > ffnWidth)
            c.ffnDimMultiplier = static_cast<double>(ffnWidth) / static_cast<double>(4 * c.hiddenSize);
    }

    int64_t ropeDims = 0;
    for (const auto d : c.axesDimRope)
        ropeDims += d;
    if (ropeDims != headDim)
        fail(weights,
             fmt::format("the head dimension is {} (attention.q_norm), but the RoPE split axes_dim_rope "
                         "[{}], which the file does not store, covers {}; this is not the published "
                         "Lumina-Image 2.0 architecture",
                         headDim, fmt::join(c.axesDimRope, ", "), ropeDims));
    c.validate(
        fmt::format("Lumina 2 transformer ({}), config inferred from the tensor shapes", weights.describe()));
    log::info("Lumina 2 transformer ({}): original key layout{}, hidden {}, {} layers, {} refiner layers, {} "
              "heads ({} kv), cap_feat_dim {}",
              weights.describe(), p.empty() ? "" : fmt::format(" under {}", p), c.hiddenSize, c.numLayers,
              c.numRefinerLayers, c.numAttentionHeads, c.numKvHeads, c.capFeatDim);
    return c;
}

io::OriginalLayout originalLumina2Layout(const Lumina2Config& config, const Lumina2OriginalFile& file) {
    io::OriginalLayout layout;
    layout.label = "Lumina 2 transformer";
    layout.description =
        fmt::format("an original-layout Lumina-Image 2.0 transformer with hidden size {}, {} "
                    "layers and {} refiner layers per stream",
                    config.hiddenSize, config.numLayers, config.numRefinerLayers);
    layout.hint = "Is the file complete and a Lumina-Image 2.0 transformer?";
    layout.originalOf = [prefix = file.prefix](const std::string& moduleKey) {
        return originalLumina2Key(moduleKey, prefix);
    };
    // convert_lumina2_to_diffusers pops norm_final.weight, an RMSNorm the original forward never applies.
    layout.ignored = [prefix = file.prefix](const std::string& key) {
        return key == prefix + "norm_final.weight" || !startsWith(key, prefix);
    };
    return layout;
}

} // namespace lumina::models
