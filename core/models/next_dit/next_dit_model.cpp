// Port of diffusers LuminaNextDiT2DModel (models/transformers/lumina_nextdit2d.py), LuminaPatchEmbed,
// LuminaCombinedTimestepCaptionEmbedding, Timesteps/get_timestep_embedding, TimestepEmbedding
// (embeddings.py) and LuminaLayerNormContinuous (normalization.py).
#include "core/models/next_dit/next_dit_model.h"

#include "core/io/weight_set.h"
#include "core/models/common/patches.h"
#include "core/util/errors.h"

#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

namespace lumina::models {
namespace {

struct Group : torch::nn::Module {};

std::string shapeOf(const at::Tensor& t) {
    return fmt::format("{}", fmt::join(t.sizes(), "x"));
}

} // namespace

NextDiTModelImpl::NextDiTModelImpl(const NextDiTConfig& config, const at::TensorOptions& o)
    : m_config(config) {
    const auto& c = m_config;
    c.validate("Next-DiT config");
    auto patch = register_module("patch_embedder", std::make_shared<Group>());
    m_patchProj = patch->register_module(
        "proj", Dense(c.patchSize * c.patchSize * c.inChannels, c.hiddenSize, true, o));
    m_padToken = register_parameter("pad_token", torch::empty({c.hiddenSize}, o), false);

    auto tce = register_module("time_caption_embed", std::make_shared<Group>());
    m_timeEmbedder =
        tce->register_module("timestep_embedder", TimestepEmbedding(kTimeFeatures, c.conditioningDim(), o));
    auto capEmb = tce->register_module("caption_embedder", std::make_shared<Group>());
    m_captionNorm = capEmb->register_module("0", AffineLayerNorm(c.crossAttentionDim, 1e-5, o));
    m_captionLinear = capEmb->register_module("1", Dense(c.crossAttentionDim, c.conditioningDim(), true, o));

    auto layers = register_module("layers", std::make_shared<Group>());
    for (int64_t i = 0; i < c.numLayers; ++i)
        m_blocks.push_back(layers->register_module(std::to_string(i), NextDiTBlock(c, o)));

    m_normOut = register_module("norm_out",
                                LuminaLayerNormContinuous(c.hiddenSize, c.conditioningDim(),
                                                          c.patchSize * c.patchSize * c.outChannels(), o));
}

void NextDiTModelImpl::finishLoading() {
    for (auto& block : m_blocks)
        block->resolveSharedQuery();
}

int64_t NextDiTModelImpl::sharedQueryBlocks() const {
    int64_t n = 0;
    for (const auto& block : m_blocks)
        n += block->sharesQuery() ? 1 : 0;
    return n;
}

NextDiTCaption NextDiTModelImpl::prepareCaption(const at::Tensor& features, const at::Tensor& mask) const {
    at::NoGradGuard noGrad;
    if (features.dim() != 3 || features.size(2) != m_config.crossAttentionDim)
        throw InvalidRequest(fmt::format("Next-DiT: caption features must be (batch, tokens, {}), got {}",
                                         m_config.crossAttentionDim, shapeOf(features)));
    if (mask.dim() != 2 || mask.size(0) != features.size(0) || mask.size(1) != features.size(1))
        throw InvalidRequest(fmt::format("Next-DiT: caption mask must be (batch, tokens) = {}x{}, got {}",
                                         features.size(0), features.size(1), shapeOf(mask)));
    if (features.scalar_type() != dtype())
        throw InvalidRequest(fmt::format("Next-DiT: caption features are {} but the model is {}",
                                         c10::toString(features.scalar_type()), c10::toString(dtype())));
    const auto y = features.to(device());
    const auto m = mask.to(device());
    if (!m.ne(0).any(1).all().item<bool>())
        throw InvalidRequest("Next-DiT: every caption row needs at least one valid token (mask all zero)");

    NextDiTCaption caption;
    // Masked mean in fp32 (model-dtype features times the fp32 mask promote), cast back, then LN + Linear.
    const auto mf = m.to(at::kFloat).unsqueeze(-1);
    const auto pooled = ((y * mf).sum(1) / mf.sum(1)).to(y.scalar_type());
    caption.embedding = m_captionLinear->forward(m_captionNorm->forward(pooled));
    caption.layers.reserve(m_blocks.size());
    for (const auto& block : m_blocks)
        caption.layers.push_back(block->prepareCaption(y));
    caption.mask = m.to(at::kBool).view({m.size(0), 1, 1, m.size(1)});
    return caption;
}

at::Tensor NextDiTModelImpl::timeEmbedding(const at::Tensor& timestep) const {
    at::NoGradGuard noGrad;
    const auto features = timestepProjection(timestep.to(device())).to(dtype());
    return m_timeEmbedder->forward(features);
}

at::Tensor NextDiTModelImpl::patchEmbed(const at::Tensor& latents) const {
    const int64_t b = latents.size(0), ch = latents.size(1), p = m_config.patchSize;
    const int64_t ht = latents.size(2) / p, wt = latents.size(3) / p;
    // Feature order (ch, p, q) per token; tokens row-major (LuminaPatchEmbed.forward).
    const auto patches = latents.view({b, ch, ht, p, wt, p}).permute({0, 2, 4, 1, 3, 5}).flatten(3);
    return m_patchProj->forward(patches).flatten(1, 2);
}

at::Tensor NextDiTModelImpl::unpatchify(const at::Tensor& tokens, int64_t h, int64_t w) const {
    // Output feature order is (p, q, ch), unlike the input (docs/reference-notes.md, Next-DiT, "Patch
    // order").
    return unpatchifyTokens(tokens, h, w, m_config.patchSize, m_config.outChannels());
}

at::Tensor NextDiTModelImpl::ropeFor(int64_t tokensH, int64_t tokensW, const RoPEFactors& f) const {
    if (tokensH > kRoPETableSide || tokensW > kRoPETableSide)
        throw InvalidRequest(fmt::format(
            "Next-DiT: a {}x{} token grid exceeds the {}x{} RoPE table (at most {} "
            "px per side)",
            tokensH, tokensW, kRoPETableSide, kRoPETableSide, kRoPETableSide * m_config.patchSize * 8));
    const RoPEKey key{tokensH, tokensW, f.linear, f.ntk, device().str()};
    std::lock_guard lock(m_ropeMutex);
    if (auto it = m_ropeCache.find(key); it != m_ropeCache.end()) return it->second;
    // The reference builds the full 384x384 table on the CPU and slices it
    // (docs/reference-notes.md, Next-DiT, "RoPE table").
    auto table = buildRoPETable(m_config.headDim(), kRoPETableSide, kRoPETableSide, f);
    auto sliced = realRoPETable(table.slice(0, 0, tokensH).slice(1, 0, tokensW).flatten(0, 1).unsqueeze(0))
                      .to(device());
    if (m_ropeCache.size() >= 8) m_ropeCache.erase(m_ropeCache.begin());
    m_ropeCache.emplace(key, sliced);
    return sliced;
}

at::Tensor NextDiTModelImpl::forward(const at::Tensor& latents, const at::Tensor& timestep,
                                     const NextDiTCaption& caption, const NextDiTStepOptions& options) const {
    at::NoGradGuard noGrad;
    const auto& c = m_config;
    if (latents.dim() != 4 || latents.size(1) != c.inChannels || latents.size(2) % c.patchSize != 0 ||
        latents.size(3) % c.patchSize != 0 || latents.size(2) == 0 || latents.size(3) == 0)
        throw InvalidRequest(
            fmt::format("Next-DiT: latents must be (batch, {}, h, w) with h and w multiples of {}, "
                        "got {}",
                        c.inChannels, c.patchSize, shapeOf(latents)));
    const int64_t b = latents.size(0), h = latents.size(2), w = latents.size(3);
    if (latents.scalar_type() != dtype())
        throw InvalidRequest(fmt::format("Next-DiT: latents are {} but the model is {}",
                                         c10::toString(latents.scalar_type()), c10::toString(dtype())));
    if (timestep.numel() != b || timestep.dim() != 1)
        throw InvalidRequest(fmt::format("Next-DiT: timestep must be ({},), got {}", b, shapeOf(timestep)));
    if (caption.batch() != b || caption.layers.size() != m_blocks.size())
        throw InvalidRequest(
            fmt::format("Next-DiT: the caption was prepared for batch {} but the latents have "
                        "batch {}",
                        caption.batch(), b));
    if (options.baseSequenceLength && *options.baseSequenceLength < 2)
        throw InvalidRequest("Next-DiT: base_sequence_length must be at least 2");

    const int64_t ht = h / c.patchSize, wt = w / c.patchSize, n = ht * wt;
    const auto rope = ropeFor(ht, wt, options.rope);
    auto x = patchEmbed(latents.to(device()));
    const auto temb = timeEmbedding(timestep) + caption.embedding;

    // Proportional attention (LuminaAttnProcessor2_0): sqrt(log_base(N)) * head_dim^-0.5, in doubles.
    double selfScale = std::pow(static_cast<double>(c.headDim()), -0.5);
    if (options.baseSequenceLength)
        selfScale = std::sqrt(std::log(static_cast<double>(n)) /
                              std::log(static_cast<double>(*options.baseSequenceLength))) *
                    selfScale;

    if (options.contextDropWindow < 1)
        throw InvalidRequest(
            fmt::format("Next-DiT: context drop window must be >= 1, not {}", options.contextDropWindow));
    const KeyValuePooling pooling{ht, wt, options.contextDropWindow};
    for (std::size_t i = 0; i < m_blocks.size(); ++i)
        x = m_blocks[i]->forward(x, temb, rope, caption.layers[i], caption.mask, selfScale, pooling);

    return unpatchify(m_normOut->forward(x, temb), h, w);
}

std::shared_ptr<NextDiTModelImpl> loadNextDiT(const std::filesystem::path& folder,
                                              const io::LoadOptions& options) {
    const auto config = NextDiTConfig::fromFile(folder / "config.json");
    const auto dtype = options.dtype.value_or(at::kFloat);
    if (dtype != at::kFloat && dtype != at::kBFloat16 && dtype != at::kHalf)
        throw ModelLoadError(fmt::format("Next-DiT {}: dtype {} is not supported (fp32, bf16, fp16)",
                                         folder.string(), c10::toString(dtype)));
    // Built on the CPU with lazy torch::empty; the loader replaces each parameter with its device copy.
    auto model = std::make_shared<NextDiTModelImpl>(config, at::TensorOptions().dtype(dtype));
    const auto weights = io::WeightSet::openFolder(folder);
    auto load = options;
    load.dtype = dtype;
    if (load.componentLabel == "model") load.componentLabel = "transformer";
    io::loadModuleWeights(*model, weights, load);
    model->finishLoading();
    return model;
}

void validateNextDiT(const std::filesystem::path& folder) {
    const auto config = NextDiTConfig::fromFile(folder / "config.json");
    const NextDiTModelImpl model(config, at::TensorOptions().dtype(at::kFloat).device(at::kMeta));
    io::LoadOptions options;
    options.componentLabel = "transformer";
    io::checkModuleWeights(model, io::WeightSet::openFolder(folder), options);
}

} // namespace lumina::models
