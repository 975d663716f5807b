// lumina-cli info --model DIR|REPO_ID [--json]: finds a Lumina pipeline (Lumina-Next or Lumina-Image 2.0),
// validates every component (config files, safetensors headers, key sets and shapes; no tensor data is read,
// no model runs) and prints what it holds. Exit 0 when usable, 3 with one stderr line when not, 2 for bad
// arguments.
#include "app/cli/commands.h"
#include "core/io/checkpoint_inspector.h"
#include "core/io/checkpoint_locator.h"

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
    return "usage: lumina-cli info --model DIR|REPO_ID [--json]\n"
           "Finds a Lumina diffusers pipeline (a folder with model_index.json, a Hugging Face cache "
           "folder, or\n"
           "a repo id such as Alpha-VLLM/Lumina-Next-SFT-diffusers looked up in $HF_HUB_CACHE / "
           "$HF_HOME/hub),\n"
           "validates every component without running it and prints components, classes, dtypes, parameter\n"
           "counts and file sizes.\n"
           "  --model DIR|REPO_ID  the pipeline\n"
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

int runInfo(const std::vector<std::string>& args) {
    const Arguments parsed(args, {"model"}, {"json"});
    const std::string model = parsed.required("model");
    if (model.empty()) throw UsageError("--model needs a folder or a repo id");

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
    {"info", "validate a Lumina-Next checkpoint and list its components", usage, runInfo}};

} // namespace
} // namespace lumina::cli
