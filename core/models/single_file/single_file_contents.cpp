// Reference: ComfyUI comfy/supported_models.py (Lumina2 prefixes), comfy/sd.py (detect_te_model), diffusers
// loaders/single_file_utils.py (CHECKPOINT_KEY_NAMES, convert_lumina2_to_diffusers's model.diffusion_model.).
#include "core/models/single_file/single_file_contents.h"

#include "core/text/embedded_tokenizer.h"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <optional>
#include <set>

namespace lumina::models {
namespace {

// ComfyUI's checkpoint prefix of the diffusion model, which diffusers' converter strips too.
constexpr const char* kDiffusionPrefix = "model.diffusion_model.";

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
}

// The part of `key` before `suffix` when the key ends with it at a key-part boundary.
std::optional<std::string> prefixBefore(const std::string& key, const std::string& suffix) {
    if (key.size() < suffix.size() || key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0)
        return std::nullopt;
    const auto prefix = key.substr(0, key.size() - suffix.size());
    if (!prefix.empty() && prefix.back() != '.') return std::nullopt;
    return prefix;
}

std::string firstPart(const std::string& key) {
    return key.substr(0, key.find('.'));
}

std::string lastPart(const std::string& key) {
    const auto dot = key.rfind('.');
    return dot == std::string::npos ? key : key.substr(dot + 1);
}

FileModelFamily transformerFamily(const io::WeightSet& w, const std::string& p) {
    if (w.find(p + "cap_embedder.0.weight") && w.find(p + "layers.0.attention.qkv.weight"))
        return FileModelFamily::Lumina2;
    if (w.find(p + "time_caption_embed.caption_embedder.0.weight")) return FileModelFamily::Lumina2Diffusers;
    if (w.find(p + "layers.0.attention.wq.weight")) return FileModelFamily::LuminaNext;
    return FileModelFamily::OtherTransformer;
}

FileModelFamily textEncoderFamily(const io::WeightSet& w, const std::string& p) {
    if (w.find(p + "layers.0.self_attn.q_norm.weight")) return FileModelFamily::Gemma3;
    if (w.find(p + "layers.0.post_feedforward_layernorm.weight")) return FileModelFamily::Gemma2;
    return FileModelFamily::Gemma;
}

FileModelFamily vaeFamily(const io::WeightSet& w, const std::string& p) {
    const auto* conv = w.find(p + "decoder.conv_in.weight");
    if (!conv || conv->info->shape.size() != 4) return FileModelFamily::OtherVAE;
    const bool quant = w.find(p + "quant_conv.weight") != nullptr;
    const auto latent = conv->info->shape[1];
    if (latent == 16 && !quant) return FileModelFamily::FluxVAE;
    if (latent == 4 && quant) return FileModelFamily::SDXLVAE;
    return FileModelFamily::OtherVAE;
}

// The top-level key parts a component without a prefix owns (a transformer at the top owns the rest).
bool ownsTopLevel(const FileComponent& c, const std::string& key) {
    static const std::set<std::string> kTextEncoder{"embed_tokens", "layers", "norm", "lm_head"};
    static const std::set<std::string> kVAE{"encoder", "decoder", "quant_conv", "post_quant_conv"};
    if (c.kind == FileComponentKind::TextEncoder) return kTextEncoder.count(firstPart(key)) > 0;
    if (c.kind == FileComponentKind::VAE) return kVAE.count(firstPart(key)) > 0;
    return false;
}

} // namespace

std::string describeKind(FileComponentKind kind) {
    switch (kind) {
    case FileComponentKind::Transformer:
        return "transformer";
    case FileComponentKind::TextEncoder:
        return "text encoder";
    case FileComponentKind::VAE:
        return "VAE";
    case FileComponentKind::Tokenizer:
        return "tokenizer";
    }
    return "component";
}

std::string describeFamily(FileModelFamily family) {
    switch (family) {
    case FileModelFamily::Lumina2:
        return "Lumina-Image 2.0 transformer (original layout)";
    case FileModelFamily::Lumina2Diffusers:
        return "Lumina-Image 2.0 transformer (diffusers layout)";
    case FileModelFamily::LuminaNext:
        return "Lumina-Next transformer";
    case FileModelFamily::OtherTransformer:
        return "diffusion model of another family";
    case FileModelFamily::Gemma2:
        return "Gemma 2 text encoder";
    case FileModelFamily::Gemma:
        return "Gemma (1) text encoder";
    case FileModelFamily::Gemma3:
        return "Gemma 3 text encoder";
    case FileModelFamily::FluxVAE:
        return "FLUX-format VAE (16 latent channels)";
    case FileModelFamily::SDXLVAE:
        return "SDXL-format VAE (4 latent channels)";
    case FileModelFamily::OtherVAE:
        return "VAE of an unknown latent format";
    case FileModelFamily::SentencePiece:
        return "SentencePiece tokenizer";
    }
    return "component";
}

const FileComponent* SingleFileContents::find(FileComponentKind kind) const {
    for (const auto& c : components)
        if (c.kind == kind) return &c;
    return nullptr;
}

std::string SingleFileContents::describe() const {
    std::vector<std::string> parts;
    for (const auto& c : components) {
        if (c.kind == FileComponentKind::Tokenizer)
            parts.push_back(fmt::format("a {} (tensor {})", describeFamily(c.family), c.prefix));
        else
            parts.push_back(fmt::format("a {} {} ({} tensors)", describeFamily(c.family),
                                        c.prefix.empty() ? std::string("at the top level")
                                                         : fmt::format("under \"{}\"", c.prefix),
                                        c.tensorCount));
    }
    if (parts.empty())
        parts.push_back(fmt::format("no known model component among its {} tensors", tensorCount));
    if (!unknownKeys.empty()) {
        const std::size_t shown = std::min<std::size_t>(unknownKeys.size(), 8);
        parts.push_back(fmt::format(
            "{} tensor(s) of no known component ({}{})", unknownKeys.size(),
            fmt::join(unknownKeys.begin(), unknownKeys.begin() + static_cast<std::ptrdiff_t>(shown), ", "),
            shown < unknownKeys.size() ? ", ..." : ""));
    }
    return fmt::format("{}", fmt::join(parts, "; "));
}

SingleFileContents inspectWeights(const io::WeightSet& weights, const std::filesystem::path& file) {
    SingleFileContents out;
    out.file = file;
    out.tensorCount = weights.entries().size();

    const auto tokenizerKeys = text::embeddedTokenizerKeys(weights);
    const std::set<std::string> tokenizerSet(tokenizerKeys.begin(), tokenizerKeys.end());
    std::set<std::string> textPrefixes, vaePrefixes;
    bool diffusionPrefix = false;
    for (const auto& [key, _] : weights.entries()) {
        if (tokenizerSet.count(key)) continue;
        if (startsWith(key, kDiffusionPrefix)) {
            diffusionPrefix = true;
            continue; // nothing inside a diffusion model is another component
        }
        if (auto p = prefixBefore(key, "embed_tokens.weight");
            p && weights.find(*p + "layers.0.input_layernorm.weight"))
            textPrefixes.insert(*p);
        for (const char* conv : {"encoder.conv_in.weight", "decoder.conv_in.weight"})
            if (auto p = prefixBefore(key, conv)) vaePrefixes.insert(*p);
    }
    for (const auto& p : textPrefixes)
        out.components.push_back({FileComponentKind::TextEncoder, textEncoderFamily(weights, p), p, 0});
    for (const auto& p : vaePrefixes)
        out.components.push_back({FileComponentKind::VAE, vaeFamily(weights, p), p, 0});
    if (diffusionPrefix)
        out.components.push_back({FileComponentKind::Transformer,
                                  transformerFamily(weights, kDiffusionPrefix), kDiffusionPrefix, 0});
    // A transformer at the top level: one of the known layouts' test keys, or FLUX / SD block names.
    else if (transformerFamily(weights, "") != FileModelFamily::OtherTransformer ||
             weights.find("double_blocks.0.img_attn.qkv.weight") || weights.find("input_blocks.0.0.weight"))
        out.components.push_back({FileComponentKind::Transformer, transformerFamily(weights, ""), "", 0});
    for (const auto& key : tokenizerKeys)
        out.components.push_back({FileComponentKind::Tokenizer, FileModelFamily::SentencePiece, key, 1});

    for (const auto& [key, _] : weights.entries()) {
        if (tokenizerSet.count(key)) continue;
        FileComponent* owner = nullptr;
        for (auto& c : out.components) {
            if (c.kind == FileComponentKind::Tokenizer) continue;
            // A text encoder's lm_head sits beside its "model." part.
            const bool lmHead = c.kind == FileComponentKind::TextEncoder &&
                                prefixBefore(c.prefix, "model.") &&
                                key == *prefixBefore(c.prefix, "model.") + "lm_head.weight";
            const bool owns = c.prefix.empty() ? ownsTopLevel(c, key) : (startsWith(key, c.prefix) || lmHead);
            if (owns && (!owner || c.prefix.size() > owner->prefix.size())) owner = &c;
        }
        if (!owner && lastPart(key) == "logit_scale") {
            out.ignoredKeys.push_back(key);
            continue;
        }
        if (!owner)
            for (auto& c : out.components)
                if (c.kind == FileComponentKind::Transformer && c.prefix.empty()) owner = &c;
        if (owner)
            ++owner->tensorCount;
        else
            out.unknownKeys.push_back(key);
    }
    return out;
}

SingleFileContents inspectSingleFile(const std::filesystem::path& file) {
    return inspectWeights(io::WeightSet::open(file), file);
}

} // namespace lumina::models
