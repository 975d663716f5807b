#include "core/vocabulary/pipeline_classes.h"

namespace lumina {

const std::vector<std::string>& luminaPipelineClasses() {
    static const std::vector<std::string> kClasses{"LuminaPipeline", "LuminaText2ImgPipeline"};
    return kClasses;
}

} // namespace lumina
