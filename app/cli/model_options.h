#pragma once
// The model options shared by CLI commands: --model DIR|REPO_ID|FILE.safetensors, and for Lumina-Image 2.0
// single files the parts given separately (--transformer, --text-encoder, --vae, --tokenizer).
#include "app/cli/arguments.h"
#include "core/pipeline/model_source.h"

#include <set>
#include <string>

namespace lumina::cli {

std::set<std::string> modelValueOptions();
// Throws UsageError when neither --model nor the separate files are given; InvalidRequest (exit 2) when the
// pieces do not go together (pipeline::checkModelSource).
pipeline::ModelSource modelSourceFromArguments(const Arguments& args);
// The usage lines of these options.
std::string modelOptionsUsage();

} // namespace lumina::cli
