#pragma once
// text_encoder/config.json of the Lumina-Next checkpoint (transformers models/gemma/configuration_gemma.py,
// GemmaConfig) and of Lumina-Image 2.0 (models/gemma2/configuration_gemma2.py, Gemma2Config).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lumina::models {

struct GemmaConfig {
    enum class Activation { GeluTanh, GeluExact };
    // Gemma (Lumina-Next) or Gemma 2 (Lumina-Image 2.0), from model_type / architectures in the file.
    enum class Family { Gemma, Gemma2 };
    Family family = Family::Gemma;

    int64_t vocabSize = 256000;
    int64_t hiddenSize = 2048;
    int64_t intermediateSize = 16384;
    int64_t numHiddenLayers = 18;
    int64_t numAttentionHeads = 8;
    int64_t numKeyValueHeads = 1;
    int64_t headDim = 256;
    double rmsNormEps = 1e-6;
    double ropeTheta = 10000.0;
    // transformers 5.23 (the reference environment) rewrites hidden_act "gelu" to "gelu_pytorch_tanh" in
    // GemmaConfig.__post_init__ and ignores hidden_activation, so the shipped config ("gelu", null) runs
    // tanh-approximate GELU. transformers 5.17 ran exact GELU for the same file (docs/text.md, GELU variant):
    // the switch stays.
    Activation activation = Activation::GeluTanh;
    std::string hiddenAct = "gelu"; // as written in the file

    // Gemma 2 only (Gemma2Attention, Gemma2Model): softmax scale query_pre_attn_scalar^-0.5, logits
    // soft-capped as tanh(x / cap) * cap, and the layers whose layer_types entry is "sliding_attention" see
    // only the last slidingWindow keys (key > query - window).
    double queryPreAttnScalar = 256.0;
    std::optional<double> attnLogitSoftcap;
    std::optional<int64_t> slidingWindow;
    std::vector<bool> slidingLayers; // one per layer (empty for Gemma)

    bool isGemma2() const { return family == Family::Gemma2; }
    // The softmax scale of the attention: 1/sqrt(head_dim) (Gemma) or 1/sqrt(query_pre_attn_scalar).
    double attentionScale() const;

    // Throws ModelLoadError naming the file and key for missing or unsupported values.
    static GemmaConfig fromFile(const std::filesystem::path& configJson);
};

} // namespace lumina::models
