// Reference: diffusers loaders/single_file_utils.py, convert_ldm_vae_checkpoint and its helpers (the key
// mapping), create_vae_diffusers_config_from_ldm (the config from ddconfig); GroupNorm groups: the original
// code's Normalize (ldm modules/diffusionmodules/model.py) and FLUX's autoencoder.py both fix 32 groups.
#include "core/models/vae/vae_original_keys.h"

#include "core/io/original_key_map.h"
#include "core/util/errors.h"
#include "core/util/log.h"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <optional>
#include <regex>

namespace lumina::models {
namespace {

constexpr int64_t kOriginalNormGroups = 32;

bool hasPrefix(const io::WeightSet& weights, const std::string& root,
               const std::array<const char*, 4>& prefixes, std::string* first) {
    for (const auto& [key, _] : weights.entries())
        for (const char* p : prefixes)
            if (key.rfind(root + p, 0) == 0) {
                if (first) *first = key;
                return true;
            }
    return false;
}

std::string resnetPart(std::string tail) {
    const auto pos = tail.find("conv_shortcut");
    return pos == std::string::npos ? tail : tail.replace(pos, 13, "nin_shortcut");
}

[[noreturn]] void fail(const io::WeightSet& weights, const std::string& what) {
    throw ModelLoadError(fmt::format("VAE ({}): {}", weights.describe(), what));
}

// Latent formats whose scaling (and shift) factors are known; the tensors cannot tell them.
struct KnownLatentFormat {
    const char* name;
    int64_t latentChannels;
    bool quantConvs;
    VAEConfig reference;
};

} // namespace

VAEKeyLayout detectVAEKeyLayout(const io::WeightSet& weights, const std::string& prefix) {
    std::string diffusersKey, originalKey;
    const bool diffusers =
        hasPrefix(weights, prefix,
                  {"encoder.down_blocks.", "decoder.up_blocks.", "encoder.mid_block.", "decoder.mid_block."},
                  &diffusersKey);
    const bool original = hasPrefix(
        weights, prefix, {"encoder.down.", "decoder.up.", "encoder.mid.", "decoder.mid."}, &originalKey);
    if (diffusers && original)
        throw ModelLoadError(fmt::format("VAE ({}): the file mixes the diffusers key layout ({}) with the "
                                         "original one ({}); use an unmodified "
                                         "VAE file",
                                         weights.describe(), diffusersKey, originalKey));
    if (diffusers) return VAEKeyLayout::Diffusers;
    if (original) return VAEKeyLayout::Original;
    if (!prefix.empty())
        throw ModelLoadError(
            fmt::format("VAE ({}): no AutoencoderKL encoder/decoder block under \"{}\" (first keys: {})",
                        weights.describe(), prefix, weights.firstKeys(4)));
    for (const auto& [key, _] : weights.entries()) {
        const auto pos = key.find("encoder.conv_in.weight");
        if (pos != std::string::npos && pos > 0)
            throw ModelLoadError(fmt::format("VAE ({}): this is a whole-model checkpoint (its VAE tensors "
                                             "start with \"{}\"); give a VAE-only "
                                             "file such as ae.safetensors or sdxl_vae.safetensors",
                                             weights.describe(), key.substr(0, pos)));
    }
    throw ModelLoadError(fmt::format(
        "VAE ({}): no AutoencoderKL tensors: none of its {} tensors is an encoder/decoder block (first keys: "
        "{}). Is this a transformer or text-encoder file given as the VAE?",
        weights.describe(), weights.entries().size(), weights.firstKeys(4)));
}

std::string originalVAEKey(const std::string& moduleKey, std::size_t blockCount) {
    const auto dot = moduleKey.find('.');
    const std::string part = moduleKey.substr(0, dot);
    if (part == "quant_conv" || part == "post_quant_conv") return moduleKey;
    if ((part != "encoder" && part != "decoder") || dot == std::string::npos)
        throw Error(fmt::format("VAE: {} is not an AutoencoderKL key", moduleKey));
    const std::string rest = moduleKey.substr(dot + 1);
    static const std::regex kDownResnet(R"(down_blocks\.(\d+)\.resnets\.(\d+)\.(.+))");
    static const std::regex kDownsample(R"(down_blocks\.(\d+)\.downsamplers\.0\.(.+))");
    static const std::regex kUpResnet(R"(up_blocks\.(\d+)\.resnets\.(\d+)\.(.+))");
    static const std::regex kUpsample(R"(up_blocks\.(\d+)\.upsamplers\.0\.(.+))");
    static const std::regex kMidResnet(R"(mid_block\.resnets\.([01])\.(.+))");
    static const std::regex kMidAttention(
        R"(mid_block\.attentions\.0\.(group_norm|to_q|to_k|to_v|to_out\.0)\.(weight|bias))");
    static const std::regex kSame(R"((conv_in|conv_out)\.(weight|bias))");
    static const std::regex kNormOut(R"(conv_norm_out\.(weight|bias))");
    // The original decoder numbers its up blocks from the lowest resolution's opposite end.
    const auto upIndex = [&](const std::string& i) {
        return static_cast<int64_t>(blockCount) - 1 - std::stoll(i);
    };
    std::smatch m;
    if (std::regex_match(rest, m, kDownResnet))
        return fmt::format("{}.down.{}.block.{}.{}", part, m[1].str(), m[2].str(), resnetPart(m[3].str()));
    if (std::regex_match(rest, m, kDownsample))
        return fmt::format("{}.down.{}.downsample.{}", part, m[1].str(), m[2].str());
    if (std::regex_match(rest, m, kUpResnet))
        return fmt::format("{}.up.{}.block.{}.{}", part, upIndex(m[1].str()), m[2].str(),
                           resnetPart(m[3].str()));
    if (std::regex_match(rest, m, kUpsample))
        return fmt::format("{}.up.{}.upsample.{}", part, upIndex(m[1].str()), m[2].str());
    if (std::regex_match(rest, m, kMidResnet))
        return fmt::format("{}.mid.block_{}.{}", part, std::stoi(m[1].str()) + 1, resnetPart(m[2].str()));
    if (std::regex_match(rest, m, kMidAttention)) {
        static const std::map<std::string, std::string> kAttention{
            {"group_norm", "norm"}, {"to_q", "q"}, {"to_k", "k"}, {"to_v", "v"}, {"to_out.0", "proj_out"}};
        return fmt::format("{}.mid.attn_1.{}.{}", part, kAttention.at(m[1].str()), m[2].str());
    }
    if (std::regex_match(rest, m, kNormOut)) return fmt::format("{}.norm_out.{}", part, m[1].str());
    if (std::regex_match(rest, m, kSame)) return moduleKey;
    throw Error(fmt::format("VAE: {} is not an AutoencoderKL key", moduleKey));
}

VAEConfig inferOriginalVAEConfig(const io::WeightSet& weights, const std::string& prefix) {
    // Dimension `d` of a convolution weight [out, in, kh, kw] (key after the prefix).
    const auto convDim = [&](const std::string& key, std::size_t d) {
        const auto* e = weights.find(prefix + key);
        if (!e)
            fail(weights,
                 fmt::format("tensor {}{} is missing; every original-layout AutoencoderKL file has it",
                             prefix, key));
        if (e->info->shape.size() != 4)
            fail(weights,
                 fmt::format("tensor {}{} has shape [{}]; expected a convolution weight [out, in, kh, kw]",
                             prefix, key, fmt::join(e->info->shape, ", ")));
        return e->info->shape[d];
    };
    VAEConfig c;
    c.normNumGroups = kOriginalNormGroups;
    c.inChannels = convDim("encoder.conv_in.weight", 1);
    c.outChannels = convDim("decoder.conv_out.weight", 0);
    c.latentChannels = convDim("decoder.conv_in.weight", 1);
    c.blockOutChannels.clear();
    while (weights.find(
        fmt::format("{}encoder.down.{}.block.0.conv2.weight", prefix, c.blockOutChannels.size())))
        c.blockOutChannels.push_back(
            convDim(fmt::format("encoder.down.{}.block.0.conv2.weight", c.blockOutChannels.size()), 0));
    if (c.blockOutChannels.empty())
        convDim("encoder.down.0.block.0.conv2.weight", 0); // names the missing key
    c.layersPerBlock = 0;
    while (weights.find(fmt::format("{}encoder.down.0.block.{}.conv1.weight", prefix, c.layersPerBlock)))
        ++c.layersPerBlock;
    c.useQuantConv = weights.find(prefix + "quant_conv.weight") != nullptr;
    c.usePostQuantConv = weights.find(prefix + "post_quant_conv.weight") != nullptr;
    c.midBlockAddAttention = weights.find(prefix + "decoder.mid.attn_1.q.weight") != nullptr ||
                             weights.find(prefix + "encoder.mid.attn_1.q.weight") != nullptr;
    // The encoder outputs mean and log-variance (ddconfig double_z): a KL autoencoder.
    if (convDim("encoder.conv_out.weight", 0) != 2 * c.latentChannels)
        fail(weights,
             fmt::format(
                 "encoder.conv_out.weight has {} output channels for {} latent channels; expected twice "
                 "as many (mean and log-variance of a KL autoencoder)",
                 convDim("encoder.conv_out.weight", 0), c.latentChannels));
    for (const auto ch : c.blockOutChannels)
        if (ch % kOriginalNormGroups != 0)
            fail(weights,
                 fmt::format(
                     "block channels [{}] are not multiples of the {} GroupNorm groups of the original "
                     "AutoencoderKL",
                     fmt::join(c.blockOutChannels, ", "), kOriginalNormGroups));

    static const std::array<KnownLatentFormat, 2> kKnown{{
        {"SDXL", 4, true, VAEConfig::sdxl()},
        {"FLUX / Lumina-Image 2.0", 16, false, VAEConfig::flux()},
    }};
    for (const auto& known : kKnown) {
        if (known.latentChannels != c.latentChannels || known.quantConvs != c.useQuantConv) continue;
        c.scalingFactor = known.reference.scalingFactor;
        c.shiftFactor = known.reference.shiftFactor;
        log::info("VAE ({}): original key layout, {} latent format (blocks [{}], scaling {}, shift {})",
                  weights.describe(), known.name, fmt::join(c.blockOutChannels, ", "), c.scalingFactor,
                  c.shiftFactor ? fmt::format("{}", *c.shiftFactor) : std::string("none"));
        return c;
    }
    fail(weights,
         fmt::format("{} latent channels {} quant_conv match no known VAE (SDXL: 4 with quant_conv; FLUX / "
                     "Lumina-Image 2.0: 16 without), so its scaling factor is unknown; use a diffusers vae/ "
                     "folder whose config.json states it",
                     c.latentChannels, c.useQuantConv ? "with" : "without"));
}

void mapOriginalVAEKeys(const torch::nn::Module& model, const VAEConfig& config, const io::WeightSet& weights,
                        io::LoadOptions& options, const std::string& prefix) {
    io::OriginalLayout layout;
    layout.label = "VAE";
    layout.description = fmt::format(
        "an original-layout AutoencoderKL with blocks [{}], {} resnets per block, {} latent channels",
        fmt::join(config.blockOutChannels, ", "), config.layersPerBlock, config.latentChannels);
    layout.hint = "Is the file complete and a VAE?";
    layout.originalOf = [blocks = config.blockOutChannels.size(), prefix](const std::string& moduleKey) {
        return io::OriginalKey{prefix + originalVAEKey(moduleKey, blocks)};
    };
    // In a whole checkpoint the other components' tensors lie outside the VAE's prefix.
    if (!prefix.empty())
        layout.ignored = [prefix](const std::string& key) { return key.rfind(prefix, 0) != 0; };
    io::mapOriginalKeys(model, weights, layout, options);
}

} // namespace lumina::models
