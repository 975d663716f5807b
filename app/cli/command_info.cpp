// lumina-cli info --model DIR|REPO_ID|FILE.safetensors [--json]: finds a Lumina pipeline (Lumina-Next or
// Lumina-Image 2.0) or Lumina-Image 2.0 single files, validates every component (config files, safetensors
// headers, key sets and shapes; no tensor data is read, no model runs) and prints what it holds. Exit 0 when
// usable, 3 with one stderr line when not, 2 for bad arguments.
#include "app/cli/commands.h"
#include "app/cli/model_options.h"
#include "core/io/checkpoint_inspector.h"
#include "core/io/checkpoint_locator.h"
#include "core/io/dtype.h"
#include "core/models/gemma/gemma_single_file.h"
#include "core/models/lumina2/lumina2_single_file.h"
#include "core/models/vae/vae_single_file.h"

#include <cstdio>
#include <fmt/format.h>
#include <functional>
#include <map>

// The per-model validators (config + full key set + shapes) come from the model modules; a component
// whose module is not built yet is checked generically (headers, config, key shapes that the config implies).
#if __has_include("core/models/next_dit/next_dit_model.h")
#include "core/models/next_dit/next_dit_model.h"
#define LUMINA_INFO_HAS_NEXT_DIT 1
#endif
#include "core/models/lumina2/lumina2_model.h"
#if __has_include("core/models/gemma/gemma_model.h")
#include "core/models/gemma/gemma_model.h"
#define LUMINA_INFO_HAS_GEMMA 1
#endif
#if __has_include("core/models/vae/autoencoder_kl.h")
#include "core/models/vae/autoencoder_kl.h"
#define LUMINA_INFO_HAS_VAE 1
#endif
#if __has_include("core/text/gemma_tokenizer.h")
#include "core/text/gemma_tokenizer.h"
#define LUMINA_INFO_HAS_TOKENIZER 1
#endif

namespace lumina::cli {
namespace {

std::string usage() {
    return "usage: lumina-cli info --model DIR|REPO_ID|FILE.safetensors [--json]\n"
           "Finds a Lumina diffusers pipeline (a folder with model_index.json, a Hugging Face cache "
           "folder, or\n"
           "a repo id such as Alpha-VLLM/Lumina-Next-SFT-diffusers looked up in $HF_HUB_CACHE / "
           "$HF_HOME/hub),\n"
           "validates every component without running it and prints components, classes, dtypes, parameter\n"
           "counts and file sizes.\n"
           "Lumina-Image 2.0 single files: each part is found by its tensor names and checked the same "
           "way.\n" +
           modelOptionsUsage() +
           "  --json               print exactly one JSON object\n"
           "Exit status: 0 usable, 3 not usable (one line on stderr says why), 2 bad arguments.\n";
}

using Validator = std::function<void(const std::filesystem::path&)>;

// Component name -> the model module's own validation (throws ModelLoadError).
std::map<std::string, Validator> modelValidators(ModelFamily family) {
    std::map<std::string, Validator> v;
    if (family == ModelFamily::Lumina2)
        v["transformer"] = [](const std::filesystem::path& f) {
            lumina::models::validateLumina2Transformer(f);
        };
#ifdef LUMINA_INFO_HAS_NEXT_DIT
    else
        v["transformer"] = [](const std::filesystem::path& f) { lumina::models::validateNextDiT(f); };
#endif
#ifdef LUMINA_INFO_HAS_GEMMA
    v["text_encoder"] = [](const std::filesystem::path& f) { lumina::models::validateGemma(f); };
#endif
#ifdef LUMINA_INFO_HAS_VAE
    v["vae"] = [](const std::filesystem::path& f) { lumina::models::validateVAE(f); };
#endif
#ifdef LUMINA_INFO_HAS_TOKENIZER
    v["tokenizer"] = [](const std::filesystem::path& f) { (void)lumina::text::GemmaTokenizer::load(f); };
#endif
    return v;
}

std::string humanBytes(uint64_t b) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB"};
    double v = static_cast<double>(b);
    int u = 0;
    while (v >= 1000.0 && u < 4) {
        v /= 1000.0;
        ++u;
    }
    return u == 0 ? fmt::format("{} B", b) : fmt::format("{:.1f} {}", v, units[u]);
}

std::string humanCount(uint64_t n) {
    if (n >= 1'000'000'000) return fmt::format("{:.2f}B", n / 1e9);
    if (n >= 1'000'000) return fmt::format("{:.1f}M", n / 1e6);
    if (n >= 1'000) return fmt::format("{:.1f}K", n / 1e3);
    return std::to_string(n);
}

// One part of Lumina-Image 2.0 single files: the tensors under its prefix.
nlohmann::json partJson(const models::Lumina2FilePart& part) {
    const auto weights = io::WeightSet::open(part.file);
    uint64_t tensors = 0, params = 0, bytes = 0;
    std::map<std::string, uint64_t> dtypes;
    for (const auto& [name, entry] : weights.entries()) {
        if (name.rfind(part.prefix, 0) != 0) continue;
        ++tensors;
        params += static_cast<uint64_t>(entry.info->numel());
        bytes += entry.info->byteSize();
        ++dtypes[io::dtypeName(entry.info->dtype)];
    }
    return {{"file", part.file.string()}, {"prefix", part.prefix}, {"tensors", tensors},
            {"parameters", params},       {"bytes", bytes},        {"dtypes", dtypes}};
}

int runSingleFileInfo(const pipeline::ModelSource& source, bool asJson) {
    const auto files = models::resolveLumina2Files(pipeline::fileSelection(source));
    const auto transformer = models::validateLumina2TransformerSingleFile(files.transformer.file);
    const auto textEncoder =
        models::validateGemmaSingleFile(files.textEncoder.file, files.textEncoder.prefix);
    const auto vae = models::validateVAESingleFile(files.vae.file, files.vae.prefix);
    (void)models::loadLumina2TokenizerPart(files);
    nlohmann::json components = nlohmann::json::object();
    components["transformer"] = partJson(files.transformer);
    components["transformer"]["facts"] = {{"hidden_size", transformer.hiddenSize},
                                          {"num_layers", transformer.numLayers},
                                          {"num_attention_heads", transformer.numAttentionHeads},
                                          {"num_kv_heads", transformer.numKvHeads},
                                          {"cap_feat_dim", transformer.capFeatDim}};
    components["text_encoder"] = partJson(files.textEncoder);
    components["text_encoder"]["facts"] = {{"hidden_size", textEncoder.hiddenSize},
                                           {"num_hidden_layers", textEncoder.numHiddenLayers},
                                           {"vocab_size", textEncoder.vocabSize}};
    components["vae"] = partJson(files.vae);
    components["vae"]["facts"] = {
        {"latent_channels", vae.latentChannels},
        {"scaling_factor", vae.scalingFactor},
        {"shift_factor", vae.shiftFactor ? nlohmann::json(*vae.shiftFactor) : nlohmann::json()}};
    components["tokenizer"] = files.tokenizerFolder
                                  ? nlohmann::json{{"folder", files.tokenizerFolder->string()}}
                                  : nlohmann::json{{"file", files.embeddedTokenizer->file.string()},
                                                   {"key", files.embeddedTokenizer->prefix}};
    uint64_t params = 0, bytes = 0;
    for (const char* name : {"transformer", "text_encoder", "vae"}) {
        components[name]["validation"] = "model";
        params += components[name]["parameters"].get<uint64_t>();
        bytes += components[name]["bytes"].get<uint64_t>();
    }
    const std::string root = source.model.empty() ? files.transformer.file.string() : source.model;
    nlohmann::json json{{"model", root},
                        {"origin", "single files"},
                        {"model_family", toString(ModelFamily::Lumina2)},
                        {"components", components},
                        {"total_parameters", params},
                        {"total_tensor_bytes", bytes},
                        {"usable", true}};
    if (asJson) {
        std::printf("%s\n", json.dump(2).c_str());
        return kExitOk;
    }
    std::string text = fmt::format("Lumina-Image 2.0 single files at {}\n  model family: {}\n", root,
                                   displayName(ModelFamily::Lumina2));
    for (const char* name : {"transformer", "text_encoder", "vae"}) {
        const auto& c = components[name];
        std::string dtypes;
        for (const auto& [dtype, count] : c["dtypes"].items())
            dtypes += fmt::format("{}{} x{}", dtypes.empty() ? "" : ", ", dtype, count.get<uint64_t>());
        const auto prefix = c["prefix"].get<std::string>();
        text += fmt::format("  {:<13} {:>9}  {:>9}  {} [model]  in {}{}\n", name,
                            humanCount(c["parameters"].get<uint64_t>()) + " par",
                            humanBytes(c["bytes"].get<uint64_t>()), dtypes, c["file"].get<std::string>(),
                            prefix.empty() ? "" : " under " + prefix);
    }
    text += files.tokenizerFolder
                ? fmt::format("  tokenizer     {}\n", files.tokenizerFolder->string())
                : fmt::format("  tokenizer     embedded in {} ({})\n", files.embeddedTokenizer->file.string(),
                              files.embeddedTokenizer->prefix);
    text +=
        fmt::format("  total: {} parameters, {} of tensors; usable\n", humanCount(params), humanBytes(bytes));
    std::fputs(text.c_str(), stdout);
    return kExitOk;
}

int runInfo(const std::vector<std::string>& args) {
    const Arguments parsed(args, modelValueOptions(), {"json"});
    const auto source = modelSourceFromArguments(parsed);
    if (source.isSingleFiles()) return runSingleFileInfo(source, parsed.flag("json"));
    const std::string& model = source.model;

    const auto checkpoint = io::locateCheckpoint(model);
    const auto summary = io::inspectCheckpoint(checkpoint);
    const auto validators = modelValidators(checkpoint.family);
    auto json = io::toJson(summary);
    for (const auto& c : summary.components) {
        auto it = validators.find(c.ref.name);
        if (it != validators.end()) it->second(c.ref.folder);
        json["components"][c.ref.name]["validation"] =
            it != validators.end() ? "model" : (c.ref.name == "scheduler" ? "config" : "headers+config");
    }
    json["usable"] = true;

    if (parsed.flag("json")) {
        std::printf("%s\n", json.dump(2).c_str());
        return kExitOk;
    }
    std::string text = fmt::format("{} at {}\n  model family: {}\n", checkpoint.pipelineClass,
                                   checkpoint.root.string(), displayName(checkpoint.family));
    if (!checkpoint.revision.empty())
        text += fmt::format("  found as {} (revision {})\n", checkpoint.origin, checkpoint.revision);
    for (const auto& c : summary.components) {
        std::string dtypes;
        for (const auto& [name, count] : c.dtypes)
            dtypes += fmt::format("{}{} x{}", dtypes.empty() ? "" : ", ", name, count);
        text += fmt::format("  {:<13} {:<32} {:>9}  {:>9}  {}{}\n", c.ref.name, c.ref.className,
                            c.parameterCount ? humanCount(c.parameterCount) + " par" : "-",
                            humanBytes(c.fileBytes), dtypes.empty() ? "" : dtypes,
                            std::string(" [") +
                                json["components"][c.ref.name]["validation"].get<std::string>() + "]");
    }
    text += fmt::format("  total: {} parameters, {} on disk; usable\n",
                        humanCount(json["total_parameters"].get<uint64_t>()),
                        humanBytes(json["total_file_bytes"].get<uint64_t>()));
    std::fputs(text.c_str(), stdout);
    return kExitOk;
}

const CommandRegistration registration{
    {"info", "validate a Lumina checkpoint (folder or single files) and list its components", usage,
     runInfo}};

} // namespace
} // namespace lumina::cli
