#pragma once
// The diffusers pipeline classes (model_index.json "_class_name") this engine opens: one list for the
// checkpoint locator, the Hub cache scan (lumina-cli models, the Model Manager) and the downloader.
// Torch-free so the UI can use it.
#include "core/vocabulary/choices.h"

#include <optional>
#include <string>
#include <vector>

namespace lumina {

// Every pipeline class this engine opens, of both families: "LuminaPipeline" (diffusers 0.30+) and its older
// name "LuminaText2ImgPipeline" (Lumina-Next), "Lumina2Pipeline" and its alias "Lumina2Text2ImgPipeline"
// (Lumina-Image 2.0).
const std::vector<std::string>& luminaPipelineClasses();

// The family a pipeline class belongs to; nullopt for any other class.
std::optional<ModelFamily> familyOfPipelineClass(const std::string& className);

} // namespace lumina
