#pragma once
// The generation options shared by CLI commands: the preset first, then every explicit flag on top of it.
#include "app/cli/arguments.h"
#include "core/engine/generation_engine.h"
#include "core/pipeline/request.h"

#include <set>
#include <string>

namespace lumina::cli {

std::set<std::string> requestValueOptions();
// Throws UsageError for malformed values (the request itself is checked by pipeline::validateRequest).
pipeline::GenerationRequest requestFromArguments(const Arguments& args);
// --device and --dtype: where and in what precision the model is loaded (and so where it generates).
engine::ModelLoadOptions loadOptionsFromArguments(const Arguments& args);

} // namespace lumina::cli
