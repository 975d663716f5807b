#pragma once
// The diffusers pipeline classes (model_index.json "_class_name") this engine opens: one list for the
// checkpoint locator, the Hub cache scan (lumina-cli models, the Model Manager) and the downloader.
// Torch-free so the UI can use it.
#include <string>
#include <vector>

namespace lumina {

// "LuminaPipeline" (diffusers 0.30+) and its older name "LuminaText2ImgPipeline".
const std::vector<std::string>& luminaPipelineClasses();

} // namespace lumina
