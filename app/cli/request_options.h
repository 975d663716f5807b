#pragma once
// The generation options shared by CLI commands: the preset first, then every explicit flag on top of it.
#include "app/cli/arguments.h"
#include "core/engine/generation_engine.h"
#include "core/pipeline/request.h"

#include <set>
#include <string>

namespace lumina::cli {

std::set<std::string> requestValueOptions();
// Options given any number of times: --lora FILE[:SCALE].
std::set<std::string> requestRepeatedOptions();
// For a model of `family` (the default preset and the presets offered are the family's). Throws UsageError
// for malformed values (the request itself is checked by pipeline::validateRequest).
pipeline::GenerationRequest requestFromArguments(const Arguments& args,
                                                 ModelFamily family = ModelFamily::LuminaNext);
// "FILE" or "FILE:SCALE" (the last colon followed by a number splits; a path may hold colons).
pipeline::LoraChoice parseLoraArgument(const std::string& text);
// --device and --dtype: where and in what precision the model is loaded (and so where it generates).
engine::ModelLoadOptions loadOptionsFromArguments(const Arguments& args);

} // namespace lumina::cli
