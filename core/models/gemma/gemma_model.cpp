// Reference: transformers models/gemma/modeling_gemma.py (GemmaModel, GemmaDecoderLayer, GemmaAttention,
// GemmaMLP, GemmaRMSNorm, GemmaRotaryEmbedding; transformers 5.23) and models/gemma2/modeling_gemma2.py
// (Gemma2Model, Gemma2DecoderLayer, Gemma2Attention with eager_attention_forward; masks from
// masking_utils.py); the numerics it follows are in docs/reference-notes.md, Prompt text.
#include "core/models/gemma/gemma_model.h"

#include "core/io/weight_set.h"
#include "core/util/errors.h"

#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <limits>
#include <torch/torch.h>

namespace lumina::models {

GemmaRMSNormImpl::GemmaRMSNormImpl(int64_t dim, double eps_, const at::TensorOptions& options)
    : eps(eps_) {
    weight = register_parameter("weight", torch::empty({dim}, options), false);
}

at::Tensor GemmaRMSNormImpl::forward(const at::Tensor& x) const {
    const auto xf = x.to(torch::kFloat);
    auto out = xf * torch::rsqrt(xf.pow(2).mean(-1, true) + eps);
    // Gemma multiplies by (1 + w) in fp32 and casts once at the end (unlike Llama/diffusers RMSNorm).
    out = out * (1.0 + weight.to(torch::kFloat));
    return out.to(x.scalar_type());
}

GemmaAttentionImpl::GemmaAttentionImpl(const GemmaConfig& c, const at::TensorOptions& options)
    : heads(c.numAttentionHeads)
    , kvHeads(c.numKeyValueHeads)
    , headDim(c.headDim)
    , scale(c.attentionScale())
    , softcap(c.isGemma2() ? c.attnLogitSoftcap : std::nullopt)
    , eager(c.isGemma2()) {
    q_proj = register_module("q_proj", Dense(c.hiddenSize, heads * headDim, false, options));
    k_proj = register_module("k_proj", Dense(c.hiddenSize, kvHeads * headDim, false, options));
    v_proj = register_module("v_proj", Dense(c.hiddenSize, kvHeads * headDim, false, options));
    o_proj = register_module("o_proj", Dense(heads * headDim, c.hiddenSize, false, options));
}

namespace {

at::Tensor rotateHalf(const at::Tensor& x) {
    const int64_t half = x.size(-1) / 2;
    return torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

// torch.finfo(dtype).min, the value transformers' eager masks use for "not allowed".
at::Scalar lowestOf(at::ScalarType dtype) {
    switch (dtype) {
    case at::kBFloat16:
        return at::Scalar(std::numeric_limits<c10::BFloat16>::lowest());
    case at::kHalf:
        return at::Scalar(std::numeric_limits<c10::Half>::lowest());
    case at::kDouble:
        return at::Scalar(std::numeric_limits<double>::lowest());
    default:
        return at::Scalar(std::numeric_limits<float>::lowest());
    }
}

// (B, kv, L, D) -> (B, kv * rep, L, D) as transformers' repeat_kv: expand then reshape.
at::Tensor repeatKv(const at::Tensor& x, int64_t rep) {
    if (rep == 1) return x;
    const auto b = x.size(0), kv = x.size(1), l = x.size(2), d = x.size(3);
    return x.unsqueeze(2).expand({b, kv, rep, l, d}).reshape({b, kv * rep, l, d});
}

} // namespace

at::Tensor GemmaAttentionImpl::forward(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                                       const at::Tensor& mask) const {
    const auto b = x.size(0), l = x.size(1);
    auto q = q_proj->forward(x).view({b, l, heads, headDim}).transpose(1, 2);
    auto k = k_proj->forward(x).view({b, l, kvHeads, headDim}).transpose(1, 2);
    auto v = v_proj->forward(x).view({b, l, kvHeads, headDim}).transpose(1, 2);
    const auto c = cos.unsqueeze(1), s = sin.unsqueeze(1);
    q = q * c + rotateHalf(q) * s;
    k = k * c + rotateHalf(k) * s;
    k = repeatKv(k, heads / kvHeads);
    v = repeatKv(v, heads / kvHeads);
    at::Tensor out;
    if (eager) {
        // eager_attention_forward: logits in the model dtype, soft cap, additive mask, softmax in fp32.
        auto w = torch::matmul(q, k.transpose(2, 3)) * scale;
        if (softcap) w = torch::tanh(w / *softcap) * *softcap;
        w = torch::softmax(w + mask, -1, torch::kFloat).to(q.scalar_type());
        out = torch::matmul(w, v);
    } else {
        out = at::scaled_dot_product_attention(q, k, v, mask, 0.0, false, scale);
    }
    return o_proj->forward(out.transpose(1, 2).reshape({b, l, heads * headDim}));
}

GemmaMLPImpl::GemmaMLPImpl(const GemmaConfig& c, const at::TensorOptions& options)
    : activation(c.activation) {
    gate_proj = register_module("gate_proj", Dense(c.hiddenSize, c.intermediateSize, false, options));
    up_proj = register_module("up_proj", Dense(c.hiddenSize, c.intermediateSize, false, options));
    down_proj = register_module("down_proj", Dense(c.intermediateSize, c.hiddenSize, false, options));
}

at::Tensor GemmaMLPImpl::forward(const at::Tensor& x) const {
    const char* approximate = activation == GemmaConfig::Activation::GeluTanh ? "tanh" : "none";
    return down_proj->forward(torch::gelu(gate_proj->forward(x), approximate) * up_proj->forward(x));
}

GemmaDecoderLayerImpl::GemmaDecoderLayerImpl(const GemmaConfig& c, const at::TensorOptions& options) {
    input_layernorm = register_module("input_layernorm", GemmaRMSNorm(c.hiddenSize, c.rmsNormEps, options));
    self_attn = register_module("self_attn", GemmaAttention(c, options));
    post_attention_layernorm =
        register_module("post_attention_layernorm", GemmaRMSNorm(c.hiddenSize, c.rmsNormEps, options));
    mlp = register_module("mlp", GemmaMLP(c, options));
    if (c.isGemma2()) {
        pre_feedforward_layernorm =
            register_module("pre_feedforward_layernorm", GemmaRMSNorm(c.hiddenSize, c.rmsNormEps, options));
        post_feedforward_layernorm =
            register_module("post_feedforward_layernorm", GemmaRMSNorm(c.hiddenSize, c.rmsNormEps, options));
    }
}

at::Tensor GemmaDecoderLayerImpl::forward(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                                          const at::Tensor& mask) const {
    if (pre_feedforward_layernorm) {
        // Gemma 2: sandwich norms around both sub-blocks.
        auto h = x + post_attention_layernorm->forward(
                         self_attn->forward(input_layernorm->forward(x), cos, sin, mask));
        return h + post_feedforward_layernorm->forward(mlp->forward(pre_feedforward_layernorm->forward(h)));
    }
    auto h = x + self_attn->forward(input_layernorm->forward(x), cos, sin, mask);
    return h + mlp->forward(post_attention_layernorm->forward(h));
}

GemmaModelImpl::GemmaModelImpl(const GemmaConfig& config, const torch::TensorOptions& options)
    : m_config(config) {
    auto embed = register_module("embed_tokens", std::make_shared<torch::nn::Module>());
    embedWeight = embed->register_parameter(
        "weight", torch::empty({config.vocabSize, config.hiddenSize}, options), false);
    auto layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i + 1 < config.numHiddenLayers; ++i) {
        layerList.push_back(GemmaDecoderLayer(config, options));
        layers->push_back(layerList.back());
    }
}

void GemmaModelImpl::setActivation(GemmaConfig::Activation activation) {
    m_config.activation = activation;
    for (auto& layer : layerList)
        layer->mlp->activation = activation;
}

std::vector<at::Tensor> GemmaModelImpl::hiddenStates(const at::Tensor& ids, const at::Tensor& mask,
                                                     int upToLayer) const {
    if (ids.dim() != 2 || mask.sizes() != ids.sizes())
        throw InvalidRequest(fmt::format("Gemma input ids and mask must both be (B, L); got {} and {}",
                                         fmt::join(ids.sizes(), "x"), fmt::join(mask.sizes(), "x")));
    if (upToLayer < 0 || upToLayer > static_cast<int>(layerList.size()))
        throw InvalidRequest(
            fmt::format("hidden state {} requested; only 0..{} are computed", upToLayer, layerList.size()));
    torch::NoGradGuard noGrad;
    const auto device = embedWeight.device();
    const auto dtype = embedWeight.scalar_type();
    const auto idsD = ids.to(device, torch::kLong);
    if (idsD.numel() > 0) {
        const auto lo = idsD.min().item<int64_t>(), hi = idsD.max().item<int64_t>();
        if (lo < 0 || hi >= m_config.vocabSize)
            throw InvalidRequest(fmt::format("token id {} is outside the Gemma vocabulary of {}",
                                             lo < 0 ? lo : hi, m_config.vocabSize));
    }
    const auto b = ids.size(0), l = ids.size(1);

    // Embedding times sqrt(hidden) as a tensor of the model dtype (45.25 in bf16).
    const auto scale =
        torch::tensor(std::sqrt(static_cast<double>(m_config.hiddenSize)), torch::kFloat).to(device, dtype);
    auto h = torch::embedding(embedWeight, idsD) * scale;

    // RoPE at absolute positions 0..L-1 whatever the padding: fp32 angles, cos/sin cast to the model dtype.
    const auto floatOpts = torch::TensorOptions().dtype(torch::kFloat).device(device);
    const auto invFreq =
        1.0 / torch::pow(m_config.ropeTheta, torch::arange(0, m_config.headDim, 2, floatOpts) /
                                                 static_cast<double>(m_config.headDim));
    const auto positions =
        torch::arange(l, torch::TensorOptions().dtype(torch::kLong).device(device)).unsqueeze(0);
    const auto freqs = positions.unsqueeze(-1).to(torch::kFloat) * invFreq;
    const auto emb = torch::cat({freqs, freqs}, -1);
    const auto cos = (emb.cos() * 1.0).to(dtype);
    const auto sin = (emb.sin() * 1.0).to(dtype);

    const auto keyValid = mask.to(device).to(torch::kBool).view({b, 1, 1, l});
    const auto causal = torch::ones({l, l}, torch::TensorOptions().dtype(torch::kBool).device(device)).tril();
    auto allowed = causal.view({1, 1, l, l}) & keyValid;
    at::Tensor fullMask, slidingMask;
    if (m_config.isGemma2()) {
        // create_causal_mask / create_sliding_window_causal_mask turned into eager's additive masks: 0 where
        // allowed, the dtype's lowest value elsewhere (a row without any allowed key becomes uniform, as in
        // the reference; valid rows never see pad keys, so they do not depend on it).
        const auto opts = torch::TensorOptions().dtype(dtype).device(device);
        const auto zero = torch::zeros({}, opts), low = torch::full({}, lowestOf(dtype), opts);
        auto additive = [&](const at::Tensor& ok) { return torch::where(ok, zero, low); };
        fullMask = additive(allowed);
        if (m_config.slidingWindow) {
            const auto idx = torch::arange(l, torch::TensorOptions().dtype(torch::kLong).device(device));
            const auto inWindow = idx.view({1, l}) > (idx.view({l, 1}) - *m_config.slidingWindow);
            slidingMask = additive(allowed & inWindow.view({1, 1, l, l}));
        }
    } else {
        // Causal and padding mask (true = attend). A query row with no valid key (left padding) attends
        // causally instead, so it stays finite; valid rows never see pad keys, so they do not depend on it.
        const auto emptyRow = allowed.any(-1, true).logical_not();
        fullMask = allowed | (emptyRow & causal.view({1, 1, l, l}));
    }

    std::vector<at::Tensor> states{h};
    for (int i = 0; i < upToLayer; ++i) {
        const auto idx = static_cast<std::size_t>(i);
        const bool sliding = idx < m_config.slidingLayers.size() && m_config.slidingLayers[idx];
        h = layerList[idx]->forward(h, cos, sin, sliding ? slidingMask : fullMask);
        states.push_back(h);
    }
    return states;
}

at::Tensor GemmaModelImpl::encode(const at::Tensor& ids, const at::Tensor& mask) const {
    return hiddenStates(ids, mask, static_cast<int>(layerList.size())).back();
}

namespace {

io::LoadOptions gemmaLoadOptions(const GemmaConfig& config, io::LoadOptions options) {
    const std::string lastLayer = fmt::format("layers.{}.", config.numHiddenLayers - 1);
    auto userRename = options.rename;
    options.rename = [lastLayer, userRename](const std::string& key) -> std::string {
        std::string k = key.rfind("model.", 0) == 0 ? key.substr(6) : key;
        if (k.rfind(lastLayer, 0) == 0 || k == "norm.weight" || key == "lm_head.weight") return "";
        return userRename ? userRename(k) : k;
    };
    if (options.componentLabel == "model") options.componentLabel = "text_encoder";
    return options;
}

} // namespace

std::shared_ptr<GemmaModelImpl> loadGemmaWeights(const GemmaConfig& config, const io::WeightSet& weights,
                                                 io::LoadOptions options) {
    const auto dtype = options.dtype.value_or(torch::kFloat);
    auto model =
        std::make_shared<GemmaModelImpl>(config, torch::TensorOptions().dtype(dtype).device(options.device));
    options.dtype = dtype;
    io::loadModuleWeights(*model, weights, options);
    model->eval();
    return model;
}

std::shared_ptr<GemmaModelImpl> loadGemma(const std::filesystem::path& folder, const io::LoadOptions& options,
                                          std::optional<GemmaConfig::Activation> activation) {
    auto config = GemmaConfig::fromFile(folder / "config.json");
    if (activation) config.activation = *activation;
    const auto weights = io::WeightSet::openFolder(folder);
    return loadGemmaWeights(config, weights, gemmaLoadOptions(config, options));
}

void validateGemma(const std::filesystem::path& folder) {
    const auto config = GemmaConfig::fromFile(folder / "config.json");
    const auto weights = io::WeightSet::openFolder(folder);
    GemmaModelImpl model(config, torch::TensorOptions().dtype(torch::kFloat).device(torch::kMeta));
    io::checkModuleWeights(model, weights, gemmaLoadOptions(config, {}));
}

} // namespace lumina::models
