#include "core/pipeline/lora_choice.h"

#include "core/models/lumina2/lumina2_lora.h"
#include "core/util/errors.h"
#include "core/util/log.h"

#include <fmt/format.h>

namespace lumina::pipeline {
namespace {

std::shared_ptr<const models::LoraAdapter> adapterFor(const LoadedModels& m, const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw ModelLoadError(fmt::format("LoRA {}: no such file", path));
    const auto modified = fs::last_write_time(path, ec);
    const auto size = fs::file_size(path, ec);
    auto& cached = m.loras.adapters[path];
    if (!cached.adapter || cached.modified != modified || cached.size != size) {
        cached.adapter.reset();
        cached.adapter = models::readLumina2Lora(path, *m.lumina2);
        cached.modified = modified;
        cached.size = size;
    }
    return cached.adapter;
}

} // namespace

void useLoras(const LoadedModels& m, const std::vector<LoraChoice>& loras) {
    if (!m.lumina2) {
        if (!loras.empty()) throw InvalidRequest("LoRAs are supported for Lumina-Image 2.0 models only");
        return;
    }
    std::lock_guard lock(m.loras.mutex);
    std::vector<models::WeightedLora> wanted;
    for (const auto& l : loras)
        wanted.push_back({adapterFor(m, l.path), l.scale});
    if (m.loras.fusion.isApplied(wanted)) return;
    if (wanted.empty()) {
        m.loras.fusion.clear(*m.lumina2);
        log::info("LoRAs removed: the transformer has its base weights");
        return;
    }
    m.loras.fusion.apply(*m.lumina2, wanted);
    log::info("{} LoRA(s) fused into the transformer", wanted.size());
}

} // namespace lumina::pipeline
