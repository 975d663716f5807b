#include "core/io/checkpoint_inspector.h"

#include "core/io/json_file.h"
#include "core/io/weight_set.h"
#include "core/util/errors.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <set>

namespace lumina::io {
namespace fs = std::filesystem;

namespace {

std::string shapeString(const std::vector<int64_t>& s) {
    return fmt::format("[{}]", fmt::join(s, ", "));
}

void addWeights(ComponentSummary& s, const WeightSet& weights) {
    for (const auto& f : weights.files()) {
        s.files.emplace_back(f->path(), f->fileSize());
        s.fileBytes += f->fileSize();
    }
    for (const auto& [name, entry] : weights.entries()) {
        ++s.tensorCount;
        s.parameterCount += static_cast<uint64_t>(entry.info->numel());
        ++s.dtypes[dtypeName(entry.info->dtype)];
    }
}

void addFile(ComponentSummary& s, const fs::path& p) {
    std::error_code ec;
    const auto size = fs::file_size(p, ec);
    if (ec) return;
    s.files.emplace_back(p, size);
    s.fileBytes += size;
}

// The config's own _class_name, when it has one, must agree with model_index.json.
void checkClassName(const JsonConfig& config, const ComponentRef& ref) {
    const auto cls = config.getOptionalString("_class_name");
    if (cls && *cls != ref.className)
        config.fail("_class_name", fmt::format("\"{}\" as model_index.json says", ref.className));
}

void requireShape(const WeightSet& weights, const std::string& key, const std::vector<int64_t>& expected,
                  const JsonConfig& config, const std::string& why) {
    const auto* e = weights.find(key);
    if (!e)
        throw ModelLoadError(fmt::format("{}: has no tensor '{}' (is it the weights of a {}?)",
                                         weights.describe(), key,
                                         config.getString("_class_name", "different model")));
    if (e->info->shape != expected)
        throw ModelLoadError(fmt::format("{}: tensor '{}' has shape {}, but {} ({}) implies {}",
                                         weights.describe(), key, shapeString(e->info->shape),
                                         config.path().string(), why, shapeString(expected)));
}

// Number of distinct N in keys "<prefix>N.<...>".
int64_t countBlocks(const WeightSet& weights, const std::string& prefix) {
    std::set<int64_t> seen;
    for (const auto& [name, _] : weights.entries()) {
        if (name.compare(0, prefix.size(), prefix) != 0) continue;
        const auto dot = name.find('.', prefix.size());
        const auto digits = name.substr(prefix.size(), dot - prefix.size());
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) continue;
        seen.insert(std::stoll(digits));
    }
    return static_cast<int64_t>(seen.size());
}

void requireBlocks(const WeightSet& weights, const std::string& prefix, int64_t expected,
                   const JsonConfig& config, const std::string& key) {
    const auto found = countBlocks(weights, prefix);
    if (found != expected)
        throw ModelLoadError(fmt::format("{}: has {} blocks '{}N.*', but {} says {} = {}", weights.describe(),
                                         found, prefix, config.path().string(), key, expected));
}

void positive(const JsonConfig& c, const std::string& key, int64_t v) {
    if (v <= 0) c.fail(key, "a positive integer");
}

// diffusers Lumina2Transformer2DModel (transformer_lumina2.py): the config keys its __init__ reads and the
// tensors that tie them to the weights; the full check is models::validateLumina2Transformer at load.
ComponentSummary inspectLumina2Transformer(const ComponentRef& ref) {
    ComponentSummary s;
    s.ref = ref;
    s.configFile = ref.folder / "config.json";
    const auto config = JsonConfig::load(s.configFile);
    checkClassName(config, ref);
    const auto hidden = config.getInt("hidden_size", 2304);
    const auto layers = config.getInt("num_layers", 26);
    const auto refiners = config.getInt("num_refiner_layers", 2);
    const auto heads = config.getInt("num_attention_heads", 24);
    const auto patch = config.getInt("patch_size", 2);
    const auto inChannels = config.getInt("in_channels", 16);
    const auto captionDim = config.getInt("cap_feat_dim", 1024);
    const auto sample = config.getInt("sample_size", 128);
    for (auto [k, v] : {std::pair{"hidden_size", hidden},
                        {"num_layers", layers},
                        {"num_refiner_layers", refiners},
                        {"num_attention_heads", heads},
                        {"patch_size", patch},
                        {"in_channels", inChannels},
                        {"cap_feat_dim", captionDim}})
        positive(config, k, v);
    if (hidden % heads != 0)
        config.fail("num_attention_heads", fmt::format("a divisor of hidden_size {}", hidden));
    const auto weights = WeightSet::openFolder(ref.folder);
    requireShape(weights, "x_embedder.weight", {hidden, patch * patch * inChannels}, config,
                 "hidden_size x patch_size^2 x in_channels");
    requireShape(weights, "time_caption_embed.caption_embedder.1.weight", {hidden, captionDim}, config,
                 "hidden_size x cap_feat_dim");
    requireBlocks(weights, "layers.", layers, config, "num_layers");
    requireBlocks(weights, "noise_refiner.", refiners, config, "num_refiner_layers");
    requireBlocks(weights, "context_refiner.", refiners, config, "num_refiner_layers");
    addWeights(s, weights);
    s.facts = {{"hidden_size", hidden}, {"num_layers", layers},      {"num_attention_heads", heads},
               {"patch_size", patch},   {"in_channels", inChannels}, {"cap_feat_dim", captionDim},
               {"sample_size", sample}};
    return s;
}

ComponentSummary inspectTransformer(const ComponentRef& ref) {
    if (ref.className == "Lumina2Transformer2DModel") return inspectLumina2Transformer(ref);
    ComponentSummary s;
    s.ref = ref;
    s.configFile = ref.folder / "config.json";
    const auto config = JsonConfig::load(s.configFile);
    checkClassName(config, ref);
    const auto hidden = config.getInt("hidden_size");
    const auto layers = config.getInt("num_layers");
    const auto heads = config.getInt("num_attention_heads");
    const auto patch = config.getInt("patch_size");
    const auto inChannels = config.getInt("in_channels");
    const auto crossDim = config.getInt("cross_attention_dim");
    const auto sample = config.getInt("sample_size", 128);
    for (auto [k, v] : {std::pair{"hidden_size", hidden},
                        {"num_layers", layers},
                        {"num_attention_heads", heads},
                        {"patch_size", patch},
                        {"in_channels", inChannels},
                        {"cross_attention_dim", crossDim}})
        positive(config, k, v);
    if (hidden % heads != 0 || (hidden / heads) % 4 != 0)
        config.fail("num_attention_heads",
                    fmt::format("a divisor of hidden_size {} leaving a head size divisible by 4", hidden));
    config.getInt("num_kv_heads", heads);
    config.getOptionalDouble("ffn_dim_multiplier");
    config.getDouble("norm_eps", 1e-5);
    config.getBool("learn_sigma", true);
    config.getBool("qk_norm", true);
    config.getDouble("scaling_factor", 1.0);
    const auto weights = WeightSet::openFolder(ref.folder);
    requireShape(weights, "patch_embedder.proj.weight", {hidden, patch * patch * inChannels}, config,
                 "hidden_size x patch_size^2 x in_channels");
    requireShape(weights, "pad_token", {hidden}, config, "hidden_size");
    requireBlocks(weights, "layers.", layers, config, "num_layers");
    addWeights(s, weights);
    s.facts = {{"hidden_size", hidden}, {"num_layers", layers},      {"num_attention_heads", heads},
               {"patch_size", patch},   {"in_channels", inChannels}, {"cross_attention_dim", crossDim},
               {"sample_size", sample}};
    return s;
}

ComponentSummary inspectTextEncoder(const ComponentRef& ref) {
    ComponentSummary s;
    s.ref = ref;
    s.configFile = ref.folder / "config.json";
    const auto config = JsonConfig::load(s.configFile);
    const auto archs =
        config.has("architectures") ? config.getStringList("architectures") : std::vector<std::string>{};
    if (!archs.empty() && std::find(archs.begin(), archs.end(), ref.className) == archs.end())
        config.fail("architectures", fmt::format("a list naming {} as model_index.json says", ref.className));
    const auto hidden = config.getInt("hidden_size");
    const auto layers = config.getInt("num_hidden_layers");
    const auto vocab = config.getInt("vocab_size");
    const auto heads = config.getInt("num_attention_heads");
    const auto kvHeads = config.getInt("num_key_value_heads", heads);
    const auto headDim = config.getInt("head_dim", heads > 0 ? hidden / heads : 0);
    const auto intermediate = config.getInt("intermediate_size");
    for (auto [k, v] : {std::pair{"hidden_size", hidden},
                        {"num_hidden_layers", layers},
                        {"vocab_size", vocab},
                        {"num_attention_heads", heads},
                        {"num_key_value_heads", kvHeads},
                        {"head_dim", headDim},
                        {"intermediate_size", intermediate}})
        positive(config, k, v);
    if (heads % kvHeads != 0)
        config.fail("num_key_value_heads", fmt::format("a divisor of num_attention_heads {}", heads));
    config.getDouble("rms_norm_eps", 1e-6);
    config.getDouble("rope_theta", 10000.0);
    const auto weights = WeightSet::openFolder(ref.folder);
    // GemmaForCausalLM keeps the same tensors under "model.".
    const std::string prefix = weights.find("model.embed_tokens.weight") ? "model." : "";
    requireShape(weights, prefix + "embed_tokens.weight", {vocab, hidden}, config,
                 "vocab_size x hidden_size");
    requireShape(weights, prefix + "norm.weight", {hidden}, config, "hidden_size");
    requireShape(weights, prefix + "layers.0.self_attn.q_proj.weight", {heads * headDim, hidden}, config,
                 "num_attention_heads x head_dim, hidden_size");
    requireBlocks(weights, prefix + "layers.", layers, config, "num_hidden_layers");
    addWeights(s, weights);
    s.facts = {{"hidden_size", hidden},        {"num_hidden_layers", layers},    {"vocab_size", vocab},
               {"num_attention_heads", heads}, {"num_key_value_heads", kvHeads}, {"head_dim", headDim}};
    return s;
}

ComponentSummary inspectVae(const ComponentRef& ref) {
    ComponentSummary s;
    s.ref = ref;
    s.configFile = ref.folder / "config.json";
    const auto config = JsonConfig::load(s.configFile);
    checkClassName(config, ref);
    const auto blocks = config.getIntList("block_out_channels");
    if (blocks.empty()) config.fail("block_out_channels", "a non-empty list of channel counts");
    for (auto b : blocks)
        if (b <= 0) config.fail("block_out_channels", "a list of positive channel counts");
    const auto latent = config.getInt("latent_channels");
    const auto inChannels = config.getInt("in_channels", 3);
    const auto outChannels = config.getInt("out_channels", 3);
    const auto groups = config.getInt("norm_num_groups", 32);
    positive(config, "latent_channels", latent);
    positive(config, "norm_num_groups", groups);
    for (auto b : blocks)
        if (b % groups != 0) config.fail("norm_num_groups", "a divisor of every block_out_channels entry");
    const auto scaling = config.getDouble("scaling_factor", 0.18215);
    config.getOptionalDouble("shift_factor");
    config.getInt("layers_per_block", 1);
    const auto weights = WeightSet::openFolder(ref.folder);
    requireShape(weights, "encoder.conv_in.weight", {blocks.front(), inChannels, 3, 3}, config,
                 "block_out_channels[0], in_channels");
    requireShape(weights, "decoder.conv_in.weight", {blocks.back(), latent, 3, 3}, config,
                 "block_out_channels[-1], latent_channels");
    requireShape(weights, "decoder.conv_out.weight", {outChannels, blocks.front(), 3, 3}, config,
                 "out_channels, block_out_channels[0]");
    requireBlocks(weights, "encoder.down_blocks.", static_cast<int64_t>(blocks.size()), config,
                  "block_out_channels");
    addWeights(s, weights);
    s.facts = {{"latent_channels", latent}, {"block_out_channels", blocks}, {"scaling_factor", scaling}};
    return s;
}

ComponentSummary inspectTokenizer(const ComponentRef& ref) {
    ComponentSummary s;
    s.ref = ref;
    s.configFile = ref.folder / "tokenizer.json";
    const fs::path spModel = ref.folder / "tokenizer.model";
    std::error_code ec;
    if (!fs::exists(s.configFile, ec) && !fs::is_symlink(s.configFile, ec) && fs::exists(spModel, ec)) {
        // Only a sentencepiece model: the Gemma tokenizer reads it; nothing more to check generically.
        s.configFile = spModel;
        addFile(s, spModel);
        return s;
    }
    const auto tokenizer = JsonConfig::load(s.configFile);
    const auto& model = tokenizer.json().find("model");
    if (model == tokenizer.json().end() || !model->is_object()) tokenizer.fail("model", "an object");
    const auto type = model->value("type", std::string());
    if (type != "BPE") tokenizer.fail("model", "a BPE model (\"type\": \"BPE\") as Gemma uses");
    const auto vocab = model->find("vocab");
    if (vocab == model->end() || !vocab->is_object())
        tokenizer.fail("model", "an object with a 'vocab' object");
    int64_t maxId = -1;
    for (const auto& [piece, id] : vocab->items()) {
        if (!id.is_number_integer() || id.get<int64_t>() < 0)
            throw ModelLoadError(
                fmt::format("{}: vocab entry '{}' has id {}, expected a non-negative integer",
                            s.configFile.string(), piece, id.dump()));
        maxId = std::max(maxId, id.get<int64_t>());
    }
    int64_t addedMax = -1;
    if (auto added = tokenizer.json().find("added_tokens");
        added != tokenizer.json().end() && added->is_array())
        for (const auto& t : *added)
            if (t.is_object() && t.contains("id") && t["id"].is_number_integer())
                addedMax = std::max(addedMax, t["id"].get<int64_t>());
    addFile(s, s.configFile);
    const fs::path tokConfig = ref.folder / "tokenizer_config.json";
    if (fs::exists(tokConfig, ec) || fs::is_symlink(tokConfig, ec)) {
        const auto tc = JsonConfig::load(tokConfig);
        tc.getOptionalString("tokenizer_class");
        tc.getBool("add_bos_token", true);
        addFile(s, tokConfig);
    }
    const fs::path specials = ref.folder / "special_tokens_map.json";
    if (fs::exists(specials, ec) || fs::is_symlink(specials, ec)) {
        readJsonObject(specials);
        addFile(s, specials);
    }
    s.facts = {{"vocab_size", std::max(maxId, addedMax) + 1}, {"type", type}};
    return s;
}

ComponentSummary inspectScheduler(const ComponentRef& ref) {
    ComponentSummary s;
    s.ref = ref;
    s.configFile = ref.folder / "scheduler_config.json";
    const auto config = JsonConfig::load(s.configFile);
    checkClassName(config, ref);
    const auto steps = config.getInt("num_train_timesteps", 1000);
    positive(config, "num_train_timesteps", steps);
    const auto shift = config.getDouble("shift", 1.0);
    config.getBool("use_dynamic_shifting", false);
    addFile(s, s.configFile);
    s.facts = {{"num_train_timesteps", steps}, {"shift", shift}};
    return s;
}

} // namespace

ComponentSummary inspectComponent(const ComponentRef& component) {
    if (component.name == "transformer") return inspectTransformer(component);
    if (component.name == "text_encoder") return inspectTextEncoder(component);
    if (component.name == "vae") return inspectVae(component);
    if (component.name == "tokenizer") return inspectTokenizer(component);
    if (component.name == "scheduler") return inspectScheduler(component);
    throw ModelLoadError(
        fmt::format("{}: unknown pipeline component '{}'", component.folder.string(), component.name));
}

CheckpointSummary inspectCheckpoint(const PipelineCheckpoint& checkpoint) {
    CheckpointSummary summary{checkpoint, {}};
    std::map<std::string, const ComponentSummary*> byName;
    for (const auto& expected : pipelineComponents(checkpoint.family))
        summary.components.push_back(inspectComponent(checkpoint.component(expected.name)));
    for (const auto& c : summary.components)
        byName[c.ref.name] = &c;

    // Cross-component agreement: the shapes that one network hands to the next.
    const auto& dit = byName.at("transformer")->facts;
    const auto& te = byName.at("text_encoder")->facts;
    const auto& vae = byName.at("vae")->facts;
    const auto& tok = byName.at("tokenizer")->facts;
    // The caption width: cross_attention_dim (Next-DiT) or cap_feat_dim (Lumina 2).
    const char* captionKey = dit.contains("cap_feat_dim") ? "cap_feat_dim" : "cross_attention_dim";
    if (dit.at(captionKey) != te.at("hidden_size"))
        throw ModelLoadError(
            fmt::format("{}: {} is {}, but the text encoder's hidden_size ({}) is {}",
                        byName.at("transformer")->configFile.string(), captionKey, dit.at(captionKey).dump(),
                        byName.at("text_encoder")->configFile.string(), te.at("hidden_size").dump()));
    if (dit.at("in_channels") != vae.at("latent_channels"))
        throw ModelLoadError(fmt::format("{}: in_channels is {}, but the VAE's latent_channels ({}) is {}",
                                         byName.at("transformer")->configFile.string(),
                                         dit.at("in_channels").dump(), byName.at("vae")->configFile.string(),
                                         vae.at("latent_channels").dump()));
    if (tok.contains("vocab_size") &&
        tok.at("vocab_size").get<int64_t>() > te.at("vocab_size").get<int64_t>())
        throw ModelLoadError(fmt::format("{}: has {} tokens, more than the text encoder's vocab_size {} ({})",
                                         byName.at("tokenizer")->configFile.string(),
                                         tok.at("vocab_size").dump(), te.at("vocab_size").dump(),
                                         byName.at("text_encoder")->configFile.string()));
    return summary;
}

nlohmann::json toJson(const ComponentSummary& s) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& [path, size] : s.files)
        files.push_back({{"path", path.string()}, {"bytes", size}});
    nlohmann::json j{
        {"library", s.ref.library},        {"class", s.ref.className}, {"folder", s.ref.folder.string()},
        {"config", s.configFile.string()}, {"files", files},           {"file_bytes", s.fileBytes},
        {"config_values", s.facts}};
    if (s.tensorCount > 0 || s.ref.name == "transformer" || s.ref.name == "text_encoder" ||
        s.ref.name == "vae") {
        j["tensors"] = s.tensorCount;
        j["parameters"] = s.parameterCount;
        j["dtypes"] = s.dtypes;
    }
    return j;
}

nlohmann::json toJson(const CheckpointSummary& s) {
    nlohmann::json components = nlohmann::json::object();
    uint64_t params = 0, bytes = 0;
    for (const auto& c : s.components) {
        components[c.ref.name] = toJson(c);
        params += c.parameterCount;
        bytes += c.fileBytes;
    }
    return {{"model", s.checkpoint.root.string()},
            {"origin", s.checkpoint.origin},
            {"revision", s.checkpoint.revision},
            {"pipeline_class", s.checkpoint.pipelineClass},
            {"model_family", toString(s.checkpoint.family)},
            {"components", components},
            {"total_parameters", params},
            {"total_file_bytes", bytes}};
}

} // namespace lumina::io
