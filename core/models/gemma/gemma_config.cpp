// Reference read: transformers models/gemma/configuration_gemma.py (GemmaConfig, 5.23) and activations.py.
#include "core/models/gemma/gemma_config.h"

#include "core/io/json_file.h"
#include "core/util/errors.h"

#include <fmt/format.h>

namespace lumina::models {

GemmaConfig GemmaConfig::fromFile(const std::filesystem::path& path) {
    const auto cfg = io::JsonConfig::load(path);
    GemmaConfig c;
    c.vocabSize = cfg.getInt("vocab_size");
    c.hiddenSize = cfg.getInt("hidden_size");
    c.intermediateSize = cfg.getInt("intermediate_size");
    c.numHiddenLayers = cfg.getInt("num_hidden_layers");
    c.numAttentionHeads = cfg.getInt("num_attention_heads");
    c.numKeyValueHeads = cfg.getInt("num_key_value_heads", c.numAttentionHeads);
    c.headDim = cfg.isNull("head_dim") ? c.hiddenSize / std::max<int64_t>(1, c.numAttentionHeads)
                                       : cfg.getInt("head_dim");
    c.rmsNormEps = cfg.getDouble("rms_norm_eps", 1e-6);
    for (auto [key, value] : {std::pair{"vocab_size", c.vocabSize},
                              {"hidden_size", c.hiddenSize},
                              {"intermediate_size", c.intermediateSize},
                              {"num_attention_heads", c.numAttentionHeads},
                              {"num_key_value_heads", c.numKeyValueHeads},
                              {"head_dim", c.headDim}})
        if (value <= 0) cfg.fail(key, "a positive integer");
    if (c.numHiddenLayers < 2) cfg.fail("num_hidden_layers", "at least 2 (the encoder output is layer N-2)");
    if (c.numAttentionHeads % c.numKeyValueHeads != 0)
        cfg.fail("num_key_value_heads", "a divisor of num_attention_heads");
    if (c.headDim % 2 != 0) cfg.fail("head_dim", "an even number (rotary embedding)");
    if (cfg.getBool("use_bidirectional_attention", false))
        cfg.fail("use_bidirectional_attention", "false or null (the encoder is causal)");
    if (cfg.getBool("attention_bias", false)) cfg.fail("attention_bias", "false (Gemma has no biases)");

    // rope_theta: top level (transformers 4.x files) or inside rope_parameters (5.x files).
    const auto& j = cfg.json();
    if (j.contains("rope_parameters") && j["rope_parameters"].is_object()) {
        const auto& rp = j["rope_parameters"];
        if (rp.contains("rope_type") && rp["rope_type"] != "default")
            cfg.fail("rope_parameters.rope_type", "\"default\" (scaled RoPE is not supported)");
        c.ropeTheta = rp.contains("rope_theta") && rp["rope_theta"].is_number()
                          ? rp["rope_theta"].get<double>()
                          : cfg.getDouble("rope_theta", 10000.0);
    } else {
        c.ropeTheta = cfg.getDouble("rope_theta", 10000.0);
    }
    if (!cfg.isNull("rope_scaling")) {
        const auto& rs = j["rope_scaling"];
        if (!(rs.is_object() && rs.value("rope_type", rs.value("type", std::string("default"))) == "default"))
            cfg.fail("rope_scaling", "null (scaled RoPE is not supported)");
    }
    if (c.ropeTheta <= 0) cfg.fail("rope_theta", "a positive number");

    c.hiddenAct = cfg.getString("hidden_act", "gelu_pytorch_tanh");
    if (c.hiddenAct == "gelu" || c.hiddenAct == "gelu_pytorch_tanh" || c.hiddenAct == "gelu_python_tanh" ||
        c.hiddenAct == "gelu_new" || c.hiddenAct == "gelu_fast")
        c.activation = Activation::GeluTanh;
    else if (c.hiddenAct == "gelu_python")
        c.activation = Activation::GeluExact;
    else
        cfg.fail("hidden_act", "a GELU variant (\"gelu\", \"gelu_pytorch_tanh\", \"gelu_python\")");
    return c;
}

} // namespace lumina::models
