#pragma once
// Reference: transformers models/gemma/modeling_gemma.py (GemmaModel, 5.23) and, for Lumina-Image 2.0,
// models/gemma2/modeling_gemma2.py (Gemma2Model): one model with a family switch (GemmaConfig::family). Only
// what the Lumina pipelines use: hidden_states[-2], the raw output of decoder layer N-2. The last layer, the
// final norm and the LM head are neither built nor loaded.
#include "core/io/module_loader.h"
#include "core/models/common/dense.h"
#include "core/models/gemma/gemma_config.h"

#include <ATen/core/Tensor.h>
#include <filesystem>
#include <memory>
#include <optional>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>
#include <vector>

namespace lumina::models {

// Gemma RMSNorm: fp32 statistics, x * rsqrt(mean(x^2) + eps) * (1 + w) in fp32, one cast back.
class GemmaRMSNormImpl : public torch::nn::Module {
public:
    GemmaRMSNormImpl(int64_t dim, double eps, const at::TensorOptions& options);
    at::Tensor forward(const at::Tensor& x) const;
    at::Tensor weight;
    double eps;
};
TORCH_MODULE(GemmaRMSNorm);

class GemmaAttentionImpl : public torch::nn::Module {
public:
    GemmaAttentionImpl(const GemmaConfig& config, const at::TensorOptions& options);
    // cos/sin: (1, L, head_dim) in the model dtype. Gemma: `mask` (B, 1, L, L) bool, true = attend (SDPA).
    // Gemma 2: `mask` (B, 1, L, L) additive in the model dtype (0 or the dtype's lowest value), the eager
    // attention of Gemma2Attention with soft-capped logits.
    at::Tensor forward(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                       const at::Tensor& mask) const;
    Dense q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
    int64_t heads, kvHeads, headDim;
    double scale;
    std::optional<double> softcap; // Gemma 2 only
    bool eager;                    // Gemma 2: eager attention with an additive mask
};
TORCH_MODULE(GemmaAttention);

class GemmaMLPImpl : public torch::nn::Module {
public:
    GemmaMLPImpl(const GemmaConfig& config, const at::TensorOptions& options);
    at::Tensor forward(const at::Tensor& x) const;
    Dense gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
    GemmaConfig::Activation activation;
};
TORCH_MODULE(GemmaMLP);

class GemmaDecoderLayerImpl : public torch::nn::Module {
public:
    GemmaDecoderLayerImpl(const GemmaConfig& config, const at::TensorOptions& options);
    at::Tensor forward(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                       const at::Tensor& mask) const;
    GemmaRMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
    // Gemma 2 only (null for Gemma): the norms around the feed-forward (Gemma2DecoderLayer).
    GemmaRMSNorm pre_feedforward_layernorm{nullptr}, post_feedforward_layernorm{nullptr};
    GemmaAttention self_attn{nullptr};
    GemmaMLP mlp{nullptr};
};
TORCH_MODULE(GemmaDecoderLayer);

class GemmaModelImpl : public torch::nn::Module {
public:
    // Builds embed_tokens and layers 0..N-2 (N = config.numHiddenLayers), uninitialised.
    GemmaModelImpl(const GemmaConfig& config, const torch::TensorOptions& options);

    // hidden_states[-2] of transformers' GemmaModel: output of layer N-2, no final norm; (B, L, hidden).
    // ids, mask: (B, L) integer; mask 1 on real tokens. Padded query rows stay finite (their values are
    // unspecified); valid rows do not depend on them.
    at::Tensor encode(const at::Tensor& ids, const at::Tensor& mask) const;
    // hidden_states[0..upToLayer]: [0] the scaled embeddings, [k] the output of layer k-1.
    // upToLayer is at most N-1 (the layers that are built). For tests.
    std::vector<at::Tensor> hiddenStates(const at::Tensor& ids, const at::Tensor& mask, int upToLayer) const;

    const GemmaConfig& config() const { return m_config; }
    void setActivation(GemmaConfig::Activation activation);

    at::Tensor embedWeight; // registered as embed_tokens.weight
    std::vector<GemmaDecoderLayer> layerList;

private:
    GemmaConfig m_config;
};
TORCH_MODULE(GemmaModel);

// Builds a model of `config` (dtype options.dtype, default fp32) and fills it from `weights` with `options`
// (their rename decides which stored tensor fills which module tensor); the shared tail of loadGemma and
// loadGemmaSingleFile.
std::shared_ptr<GemmaModelImpl> loadGemmaWeights(const GemmaConfig& config, const io::WeightSet& weights,
                                                 io::LoadOptions options);

// Loads text_encoder/ (config.json + safetensors, single or sharded): embed_tokens and layers 0..N-2; the
// last layer, norm and lm_head are skipped; a 'model.' prefix is accepted. `activation` overrides the
// config's.
std::shared_ptr<GemmaModelImpl> loadGemma(const std::filesystem::path& folder, const io::LoadOptions& options,
                                          std::optional<GemmaConfig::Activation> activation = std::nullopt);
// Names and shapes only, no tensor data read; throws ModelLoadError listing every problem.
void validateGemma(const std::filesystem::path& folder);

} // namespace lumina::models
