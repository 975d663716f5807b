// lumina-cli tokenize: shows how the Gemma tokenizer splits a prompt (ids, pieces, count, truncation).
#include "app/cli/commands.h"
#include "core/io/checkpoint_locator.h"
#include "core/text/embedded_tokenizer.h"
#include "core/text/gemma_tokenizer.h"

#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace lumina::cli {
namespace {

std::string usageText() {
    return "usage: lumina-cli tokenize --model DIR|REPO_ID|FILE.safetensors --prompt TEXT [--json] "
           "[--diffusers-preprocess]\n"
           "                          [--max-length N]\n"
           "Tokenizes TEXT with the checkpoint's Gemma tokenizer (with <bos>, truncated to 256 tokens).\n"
           "  --model                 a pipeline folder, a hub cache folder, a repo id in the hub cache, or "
           "a\n"
           "                          tokenizer folder (tokenizer.json or tokenizer.model), or a "
           ".safetensors "
           "file\n"
           "                          that carries the tokenizer (a Lumina-Image 2.0 checkpoint, a Gemma 2 "
           "file)\n"
           "  --json                  print one JSON object {\"ids\", \"pieces\", \"count\", \"truncated\"}\n"
           "  --diffusers-preprocess  lowercase and strip the prompt first, as diffusers' LuminaPipeline "
           "does\n"
           "  --max-length            token limit including <bos> (default 256)\n";
}

// The tokenizer of a tokenizer folder, a pipeline, or a .safetensors file that carries one (ComfyUI's
// spiece_model beside Gemma 2: an all-in-one checkpoint or a text-encoder file).
text::GemmaTokenizer loadTokenizer(const std::string& model) {
    const std::filesystem::path direct(model);
    if (direct.extension() == ".safetensors") return text::loadEmbeddedTokenizer(direct);
    if (std::filesystem::exists(direct / "tokenizer.json") ||
        std::filesystem::exists(direct / "tokenizer.model"))
        return text::GemmaTokenizer::load(direct);
    return text::GemmaTokenizer::load(io::locateCheckpoint(model).component("tokenizer").folder);
}

int runTokenize(const std::vector<std::string>& args) {
    const Arguments parsed(args, {"model", "prompt", "max-length"}, {"json", "diffusers-preprocess"});
    const std::string model = parsed.required("model");
    std::string prompt = parsed.required("prompt");
    const auto maxLength = parsed.intValue("max-length", text::kMaxPromptTokens);
    if (maxLength < 1 || maxLength > 1'000'000)
        throw UsageError("--max-length must be between 1 and 1000000");
    if (parsed.flag("diffusers-preprocess")) prompt = text::diffusersPreprocess(prompt);

    const auto tokenizer = loadTokenizer(model);
    const auto result = tokenizer.tokenize(prompt, static_cast<int>(maxLength));
    if (parsed.flag("json")) {
        nlohmann::ordered_json out;
        out["ids"] = result.ids;
        out["pieces"] = result.pieces;
        out["count"] = result.ids.size();
        out["truncated"] = result.truncated;
        std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
        return kExitOk;
    }
    std::printf("count: %zu\ntruncated: %s\n", result.ids.size(), result.truncated ? "true" : "false");
    std::printf("ids: [%s]\n", fmt::format("{}", fmt::join(result.ids, ", ")).c_str());
    std::vector<std::string> quoted;
    for (const auto& p : result.pieces)
        quoted.push_back(nlohmann::json(p).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    std::printf("pieces: [%s]\n", fmt::format("{}", fmt::join(quoted, ", ")).c_str());
    if (result.truncated) std::printf("dropped: %s\n", result.droppedText.c_str());
    return kExitOk;
}

const CommandRegistration registration{
    {"tokenize", "show the Gemma token ids and pieces of a prompt", usageText, runTokenize}};

} // namespace
} // namespace lumina::cli
