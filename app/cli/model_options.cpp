#include "app/cli/model_options.h"

namespace lumina::cli {

std::set<std::string> modelValueOptions() {
    return {"model", "transformer", "text-encoder", "vae", "tokenizer"};
}

pipeline::ModelSource modelSourceFromArguments(const Arguments& args) {
    pipeline::ModelSource source;
    source.model = args.valueOr("model", "");
    if (auto f = args.value("transformer")) source.transformer = *f;
    if (auto f = args.value("text-encoder")) source.textEncoder = *f;
    if (auto f = args.value("vae")) source.vae = *f;
    if (auto f = args.value("tokenizer")) source.tokenizerFolder = *f;
    if (source.model.empty() && !source.transformer && !source.textEncoder && !source.vae)
        throw UsageError(
            "--model is required (or the separate --transformer, --text-encoder and --vae files)");
    pipeline::checkModelSource(source);
    return source;
}

std::string modelOptionsUsage() {
    return "  --model DIR|REPO_ID|FILE.safetensors  a diffusers pipeline folder, a repo id in the Hugging "
           "Face "
           "cache,\n"
           "                       or a Lumina-Image 2.0 single-file checkpoint (ComfyUI's all-in-one "
           "layout)\n"
           "  Lumina-Image 2.0 single files, each part instead of (or on top of) the checkpoint's:\n"
           "    --transformer FILE.safetensors  --text-encoder FILE.safetensors (Gemma 2)  --vae "
           "FILE.safetensors\n"
           "    --tokenizer DIR (a diffusers tokenizer/ folder, when no file carries the tokenizer)\n";
}

} // namespace lumina::cli
