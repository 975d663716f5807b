// Reference read: transformers models/gemma/configuration_gemma.py (GemmaConfig, 5.23),
// models/gemma2/configuration_gemma2.py (Gemma2Config) and activations.py.
#include "core/models/gemma/gemma_config.h"

#include "core/io/json_file.h"
#include "core/util/errors.h"

#include <cmath>
#include <fmt/format.h>

namespace lumina::models {

namespace {

bool isGemma2File(const io::JsonConfig& cfg) {
    const auto& j = cfg.json();
    if (j.contains("model_type") && j["model_type"].is_string()) {
        const auto type = j["model_type"].get<std::string>();
        if (type == "gemma2") return true;
        if (type == "gemma") return false;
        cfg.fail("model_type", "\"gemma\" or \"gemma2\"");
    }
    if (j.contains("architectures") && j["architectures"].is_array())
        for (const auto& a : j["architectures"])
            if (a.is_string() && a.get<std::string>().rfind("Gemma2", 0) == 0) return true;
    return false;
}

void readGemma2(const io::JsonConfig& cfg, GemmaConfig& c) {
    c.queryPreAttnScalar =
        cfg.isNull("query_pre_attn_scalar") ? 256.0 : cfg.getDouble("query_pre_attn_scalar");
    if (!(c.queryPreAttnScalar > 0)) cfg.fail("query_pre_attn_scalar", "a positive number");
    // Gemma2Config's defaults when the key is absent: 50 and 4096; null switches each off.
    const auto& j = cfg.json();
    if (!j.contains("attn_logit_softcapping"))
        c.attnLogitSoftcap = 50.0;
    else if (!cfg.isNull("attn_logit_softcapping"))
        c.attnLogitSoftcap = cfg.getDouble("attn_logit_softcapping");
    if (c.attnLogitSoftcap && !(*c.attnLogitSoftcap > 0))
        cfg.fail("attn_logit_softcapping", "a positive number or null");
    if (!j.contains("sliding_window"))
        c.slidingWindow = 4096;
    else if (!cfg.isNull("sliding_window"))
        c.slidingWindow = cfg.getInt("sliding_window");
    if (c.slidingWindow && *c.slidingWindow < 1) cfg.fail("sliding_window", "a positive integer or null");

    c.slidingLayers.clear();
    if (cfg.isNull("layer_types")) {
        // Gemma2Config.__post_init__: even layers (0, 2, ...) slide, odd layers attend to everything.
        for (int64_t i = 0; i < c.numHiddenLayers; ++i)
            c.slidingLayers.push_back((i + 1) % 2 != 0);
    } else {
        const auto& types = j["layer_types"];
        if (!types.is_array() || static_cast<int64_t>(types.size()) != c.numHiddenLayers)
            cfg.fail("layer_types", fmt::format("a list of {} layer types", c.numHiddenLayers));
        for (const auto& t : types) {
            const auto name = t.is_string() ? t.get<std::string>() : std::string();
            if (name != "sliding_attention" && name != "full_attention")
                cfg.fail("layer_types", "entries \"sliding_attention\" or \"full_attention\"");
            c.slidingLayers.push_back(name == "sliding_attention");
        }
    }
    for (bool sliding : c.slidingLayers)
        if (sliding && !c.slidingWindow)
            cfg.fail("sliding_window", "a positive integer (layer_types has sliding layers)");
}

} // namespace

double GemmaConfig::attentionScale() const {
    return 1.0 / std::sqrt(isGemma2() ? queryPreAttnScalar : static_cast<double>(headDim));
}

GemmaConfig GemmaConfig::fromFile(const std::filesystem::path& path) {
    const auto cfg = io::JsonConfig::load(path);
    GemmaConfig c;
    c.family = isGemma2File(cfg) ? Family::Gemma2 : Family::Gemma;
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

    // Gemma2MLP reads hidden_activation; GemmaMLP reads hidden_act (see the header).
    c.hiddenAct = c.isGemma2() ? (cfg.isNull("hidden_activation") ? std::string("gelu_pytorch_tanh")
                                                                  : cfg.getString("hidden_activation"))
                               : cfg.getString("hidden_act", "gelu_pytorch_tanh");
    if (c.hiddenAct == "gelu" || c.hiddenAct == "gelu_pytorch_tanh" || c.hiddenAct == "gelu_python_tanh" ||
        c.hiddenAct == "gelu_new" || c.hiddenAct == "gelu_fast")
        c.activation = Activation::GeluTanh;
    else if (c.hiddenAct == "gelu_python")
        c.activation = Activation::GeluExact;
    else
        cfg.fail(c.isGemma2() ? "hidden_activation" : "hidden_act",
                 "a GELU variant (\"gelu\", \"gelu_pytorch_tanh\", \"gelu_python\")");
    if (c.isGemma2()) readGemma2(cfg, c);
    return c;
}

} // namespace lumina::models
