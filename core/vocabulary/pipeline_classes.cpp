#include "core/vocabulary/pipeline_classes.h"

#include <utility>

namespace lumina {
namespace {

const std::vector<std::pair<std::string, ModelFamily>>& classFamilies() {
    static const std::vector<std::pair<std::string, ModelFamily>> kClasses{
        {"LuminaPipeline", ModelFamily::LuminaNext},
        {"LuminaText2ImgPipeline", ModelFamily::LuminaNext},
        {"Lumina2Pipeline", ModelFamily::Lumina2},
        {"Lumina2Text2ImgPipeline", ModelFamily::Lumina2},
    };
    return kClasses;
}

} // namespace

const std::vector<std::string>& luminaPipelineClasses() {
    static const std::vector<std::string> kNames = [] {
        std::vector<std::string> names;
        for (const auto& [name, family] : classFamilies())
            names.push_back(name);
        return names;
    }();
    return kNames;
}

std::optional<ModelFamily> familyOfPipelineClass(const std::string& className) {
    for (const auto& [name, family] : classFamilies())
        if (name == className) return family;
    return std::nullopt;
}

} // namespace lumina
