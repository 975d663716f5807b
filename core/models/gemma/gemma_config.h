#pragma once
// text_encoder/config.json of the Lumina-Next checkpoint (transformers
// models/gemma/configuration_gemma.py, GemmaConfig).
#include <filesystem>
#include <string>

namespace lumina::models {

struct GemmaConfig {
    enum class Activation { GeluTanh, GeluExact };

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

    // Throws ModelLoadError naming the file and key for missing or unsupported values.
    static GemmaConfig fromFile(const std::filesystem::path& configJson);
};

} // namespace lumina::models
