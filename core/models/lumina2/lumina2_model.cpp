// Port of diffusers Lumina2Transformer2DModel (models/transformers/transformer_lumina2.py) with
// Lumina2CombinedTimestepCaptionEmbedding (same file), Timesteps/TimestepEmbedding (embeddings.py) and
// LuminaLayerNormContinuous (normalization.py).
#include "core/models/lumina2/lumina2_model.h"

#include "core/io/weight_set.h"
#include "core/models/common/patches.h"
#include "core/util/errors.h"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

namespace lumina::models {
namespace {

struct Group : torch::nn::Module {};

// Validates before any member is built from the config (the RoPE tables need even, positive axis sizes).
const Lumina2Config& validated(const Lumina2Config& config) {
    config.validate("Lumina 2 transformer config");
    return config;
}

std::string shapeOf(const at::Tensor& t) {
    return fmt::format("{}", fmt::join(t.sizes(), "x"));
}

std::vector<Lumina2Block> registerBlocks(torch::nn::Module& parent, const char* name, int64_t count,
                                         const Lumina2Config& c, Modulation modulation,
                                         const at::TensorOptions& o) {
    auto group = parent.register_module(name, std::make_shared<Group>());
    std::vector<Lumina2Block> blocks;
    for (int64_t i = 0; i < count; ++i)
        blocks.push_back(group->register_module(std::to_string(i), Lumina2Block(c, modulation, o)));
    return blocks;
}

// (B, 1, 1, S) bool, true for the first valid[b] positions of row b: a per-key padding mask that SDPA
// broadcasts over heads and queries.
at::Tensor prefixKeyMask(const std::vector<int64_t>& valid, int64_t s, c10::Device device) {
    const auto counts = at::tensor(valid, at::TensorOptions().dtype(at::kLong));
    const auto mask = at::arange(s, at::TensorOptions().dtype(at::kLong)).unsqueeze(0) < counts.unsqueeze(1);
    return mask.view({static_cast<int64_t>(valid.size()), 1, 1, s}).to(device);
}

} // namespace

Lumina2TransformerImpl::Lumina2TransformerImpl(const Lumina2Config& config, const at::TensorOptions& o)
    : m_config(validated(config))
    , m_rope(m_config) {
    const auto& c = m_config;
    m_patchProj = register_module("x_embedder", Dense(c.patchFeatures(), c.hiddenSize, true, o));
    auto tce = register_module("time_caption_embed", std::make_shared<Group>());
    m_timeEmbedder =
        tce->register_module("timestep_embedder", TimestepEmbedding(kTimeFeatures, c.conditioningDim(), o));
    auto capEmb = tce->register_module("caption_embedder", std::make_shared<Group>());
    m_captionNorm = capEmb->register_module("0", RMSNorm(c.capFeatDim, c.normEps, o));
    m_captionLinear = capEmb->register_module("1", Dense(c.capFeatDim, c.hiddenSize, true, o));
    m_noiseRefiner = registerBlocks(*this, "noise_refiner", c.numRefinerLayers, c, Modulation::On, o);
    m_contextRefiner = registerBlocks(*this, "context_refiner", c.numRefinerLayers, c, Modulation::Off, o);
    m_layers = registerBlocks(*this, "layers", c.numLayers, c, Modulation::On, o);
    m_normOut = register_module(
        "norm_out", LuminaLayerNormContinuous(c.hiddenSize, c.conditioningDim(), c.outFeatures(), o));
}

at::Tensor Lumina2TransformerImpl::timeEmbedding(const at::Tensor& timestep) const {
    at::NoGradGuard noGrad;
    // time_proj(t).type_as(hidden_states): the sinusoid in fp32, then the model dtype.
    return m_timeEmbedder->forward(timestepProjection(timestep.to(device())).to(dtype()));
}

at::Tensor Lumina2TransformerImpl::patchEmbed(const at::Tensor& latents) const {
    const int64_t b = latents.size(0), ch = latents.size(1), p = m_config.patchSize;
    const int64_t ht = latents.size(2) / p, wt = latents.size(3) / p;
    // Feature order (p, q, ch) per token, tokens row-major (Lumina2RotaryPosEmbed.forward's permute(0, 2, 4,
    // 3, 5, 1)); Next-DiT's is (ch, p, q).
    const auto patches =
        latents.view({b, ch, ht, p, wt, p}).permute({0, 2, 4, 3, 5, 1}).flatten(3).flatten(1, 2);
    return m_patchProj->forward(patches);
}

at::Tensor Lumina2TransformerImpl::unpatchify(const at::Tensor& tokens, int64_t h, int64_t w) const {
    return unpatchifyTokens(tokens, h, w, m_config.patchSize, m_config.outChannels);
}

Lumina2Caption Lumina2TransformerImpl::prepareCaption(const at::Tensor& features,
                                                      const at::Tensor& mask) const {
    at::NoGradGuard noGrad;
    const auto& c = m_config;
    if (features.dim() != 3 || features.size(2) != c.capFeatDim)
        throw InvalidRequest(fmt::format("Lumina 2: caption features must be (batch, tokens, {}), got {}",
                                         c.capFeatDim, shapeOf(features)));
    if (mask.dim() != 2 || mask.size(0) != features.size(0) || mask.size(1) != features.size(1))
        throw InvalidRequest(fmt::format("Lumina 2: caption mask must be (batch, tokens) = {}x{}, got {}",
                                         features.size(0), features.size(1), shapeOf(mask)));
    if (features.scalar_type() != dtype())
        throw InvalidRequest(fmt::format("Lumina 2: caption features are {} but the model is {}",
                                         c10::toString(features.scalar_type()), c10::toString(dtype())));
    const int64_t b = features.size(0), l = features.size(1);
    if (b == 0) throw InvalidRequest("Lumina 2: the caption batch is empty");
    const auto valid = mask.to(at::kCPU).ne(0);
    const auto counts = valid.sum(1).to(at::kLong).contiguous();
    Lumina2Caption caption;
    caption.lengths.assign(counts.data_ptr<int64_t>(), counts.data_ptr<int64_t>() + b);
    for (int64_t i = 0; i < b; ++i)
        if (caption.lengths[static_cast<std::size_t>(i)] == 0)
            throw InvalidRequest(
                fmt::format("Lumina 2: caption row {} has no valid token (its mask is all zero)", i));
    m_rope.checkRange(caption.lengths, 1, 1);

    // The reference runs the context refiner over all L tokens with the mask as given. With right padding
    // (every row a prefix) the tokens past the longest caption are masked for every query and never reach the
    // joint sequence, so they are dropped; if all rows are then full, no mask is needed at all.
    const auto prefix = prefixKeyMask(caption.lengths, l, at::kCPU).view({b, l});
    const bool isPrefix = at::equal(prefix, valid);
    const int64_t longest = *std::max_element(caption.lengths.begin(), caption.lengths.end());
    const int64_t work = isPrefix ? longest : l;
    const bool full = isPrefix && std::all_of(caption.lengths.begin(), caption.lengths.end(),
                                              [&](int64_t n) { return n == longest; });
    std::optional<at::Tensor> keyMask;
    if (!full)
        keyMask =
            isPrefix ? prefixKeyMask(caption.lengths, work, device()) : valid.view({b, 1, 1, l}).to(device());

    // caption_embedder: RMSNorm + Linear on every token (Lumina2CombinedTimestepCaptionEmbedding.forward).
    auto hidden = m_captionLinear->forward(m_captionNorm->forward(features.narrow(1, 0, work).to(device())));
    caption.rope = m_rope.caption(caption.lengths, work, device());
    for (const auto& block : m_contextRefiner)
        hidden = block->forward(hidden, keyMask, caption.rope, at::Tensor());
    caption.hidden = hidden;
    return caption;
}

at::Tensor Lumina2TransformerImpl::forward(const at::Tensor& latents, const at::Tensor& timestep,
                                           const at::Tensor& features, const at::Tensor& mask) const {
    return forward(latents, timestep, prepareCaption(features, mask));
}

at::Tensor Lumina2TransformerImpl::forward(const at::Tensor& latents, const at::Tensor& timestep,
                                           const Lumina2Caption& caption) const {
    at::NoGradGuard noGrad;
    const auto& c = m_config;
    if (latents.dim() != 4 || latents.size(1) != c.inChannels || latents.size(2) % c.patchSize != 0 ||
        latents.size(3) % c.patchSize != 0 || latents.size(2) == 0 || latents.size(3) == 0)
        throw InvalidRequest(fmt::format("Lumina 2: latents must be (batch, {}, h, w) with h and w positive "
                                         "multiples of {}, got {}",
                                         c.inChannels, c.patchSize, shapeOf(latents)));
    const int64_t b = latents.size(0), h = latents.size(2), w = latents.size(3);
    if (latents.scalar_type() != dtype())
        throw InvalidRequest(fmt::format("Lumina 2: latents are {} but the model is {}",
                                         c10::toString(latents.scalar_type()), c10::toString(dtype())));
    if (timestep.dim() != 1 || timestep.size(0) != b)
        throw InvalidRequest(fmt::format("Lumina 2: timestep must be ({},), got {}", b, shapeOf(timestep)));
    if (caption.batch() != b || !caption.hidden.defined())
        throw InvalidRequest(
            fmt::format("Lumina 2: the caption was prepared for batch {} but the latents have batch {}",
                        caption.batch(), b));
    const int64_t ht = h / c.patchSize, wt = w / c.patchSize, n = ht * wt;
    const auto& lengths = caption.lengths;
    m_rope.checkRange(lengths, ht, wt);

    const auto temb = timeEmbedding(timestep);
    const auto imageRope = m_rope.image(lengths, ht, wt, device());
    auto x = patchEmbed(latents.to(device()));
    for (const auto& block : m_noiseRefiner)
        x = block->forward(x, std::nullopt, imageRope, temb);

    // The joint sequence of each sample: its valid caption tokens, then its image tokens, then padding up to
    // the longest (Lumina2Transformer2DModel.forward). Equal lengths: no padding and no mask (the reference's
    // use_mask is false too); otherwise a per-key mask (B, 1, 1, S).
    const int64_t shortest = *std::min_element(lengths.begin(), lengths.end());
    const int64_t longest = *std::max_element(lengths.begin(), lengths.end());
    at::Tensor joint, jointRope;
    std::optional<at::Tensor> keyMask;
    if (shortest == longest) {
        joint = at::cat({caption.hidden.narrow(1, 0, longest), x}, 1);
        jointRope = at::cat({caption.rope.narrow(1, 0, longest), imageRope}, 1);
    } else {
        const int64_t s = longest + n;
        joint = at::zeros({b, s, c.hiddenSize}, x.options());
        // Padding positions have ids (0, 0, 0) in the reference: the identity rotation (cos 1, sin 0).
        jointRope = at::zeros({b, s, c.headDim() / 2, 2}, imageRope.options());
        jointRope.select(3, 0).fill_(1.0);
        std::vector<int64_t> valid;
        for (int64_t i = 0; i < b; ++i) {
            const int64_t len = lengths[static_cast<std::size_t>(i)];
            joint[i].narrow(0, 0, len).copy_(caption.hidden[i].narrow(0, 0, len));
            joint[i].narrow(0, len, n).copy_(x[i]);
            jointRope[i].narrow(0, 0, len).copy_(caption.rope[i].narrow(0, 0, len));
            jointRope[i].narrow(0, len, n).copy_(imageRope[i]);
            valid.push_back(len + n);
        }
        keyMask = prefixKeyMask(valid, s, device());
    }
    x = at::Tensor();
    for (const auto& block : m_layers)
        joint = block->forward(joint, keyMask, jointRope, temb);

    // norm_out and the projection act per token, so only the image tokens go through them.
    at::Tensor tokens;
    if (shortest == longest) {
        tokens = joint.narrow(1, longest, n);
    } else {
        std::vector<at::Tensor> rows;
        for (int64_t i = 0; i < b; ++i)
            rows.push_back(joint[i].narrow(0, lengths[static_cast<std::size_t>(i)], n));
        tokens = at::stack(rows);
    }
    joint = at::Tensor();
    return unpatchify(m_normOut->forward(tokens, temb), h, w);
}

std::shared_ptr<Lumina2TransformerImpl> loadLumina2TransformerWeights(const Lumina2Config& config,
                                                                      const io::WeightSet& weights,
                                                                      const io::LoadOptions& options) {
    const auto dtype = options.dtype.value_or(at::kFloat);
    if (dtype != at::kFloat && dtype != at::kBFloat16 && dtype != at::kHalf)
        throw ModelLoadError(
            fmt::format("Lumina 2 transformer {}: dtype {} is not supported (fp32, bf16, fp16)",
                        weights.describe(), c10::toString(dtype)));
    // Built on the CPU with lazy torch::empty; the loader replaces each parameter with its device copy.
    auto model = std::make_shared<Lumina2TransformerImpl>(config, at::TensorOptions().dtype(dtype));
    auto load = options;
    load.dtype = dtype;
    if (load.componentLabel == "model") load.componentLabel = "transformer";
    io::loadModuleWeights(*model, weights, load);
    return model;
}

std::shared_ptr<Lumina2TransformerImpl> loadLumina2Transformer(const std::filesystem::path& folder,
                                                               const io::LoadOptions& options) {
    const auto config = Lumina2Config::fromFile(folder / "config.json");
    return loadLumina2TransformerWeights(config, io::WeightSet::openFolder(folder), options);
}

void validateLumina2Transformer(const std::filesystem::path& folder) {
    const auto config = Lumina2Config::fromFile(folder / "config.json");
    const Lumina2TransformerImpl model(config, at::TensorOptions().dtype(at::kFloat).device(at::kMeta));
    io::LoadOptions options;
    options.componentLabel = "transformer";
    io::checkModuleWeights(model, io::WeightSet::openFolder(folder), options);
}

} // namespace lumina::models
