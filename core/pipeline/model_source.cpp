#include "core/pipeline/model_source.h"

#include "core/io/checkpoint_locator.h"
#include "core/models/single_file/single_file_contents.h"
#include "core/util/errors.h"

#include <fmt/format.h>

namespace lumina::pipeline {

namespace fs = std::filesystem;

namespace {

bool namesSafetensors(const std::string& model) {
    return fs::path(model).extension() == ".safetensors";
}

bool anyPartGiven(const ModelSource& s) {
    return s.transformer || s.textEncoder || s.vae || s.tokenizerFolder;
}

} // namespace

bool ModelSource::isSingleFiles() const {
    if (model.empty()) return anyPartGiven(*this);
    std::error_code ec;
    return namesSafetensors(model) || fs::is_regular_file(model, ec);
}

void checkModelSource(const ModelSource& s) {
    if (s.model.empty() && !s.transformer && !s.textEncoder && !s.vae)
        throw InvalidRequest(
            "no model given: name a pipeline folder, a repo id or a .safetensors checkpoint, or the "
            "transformer, text-encoder and VAE files");
    std::error_code ec;
    if (!s.model.empty() && fs::is_regular_file(s.model, ec) && !namesSafetensors(s.model))
        throw InvalidRequest(fmt::format(
            "{} is a file but not a .safetensors file: a model is a pipeline folder, a repo id, or "
            "Lumina-Image "
            "2.0 .safetensors files (pickle checkpoints such as .ckpt/.pt are not read; convert them first)",
            s.model));
    if (!s.isSingleFiles() && anyPartGiven(s))
        throw InvalidRequest(fmt::format(
            "{} is a pipeline folder or repo id, which brings all its parts: the separate transformer, text "
            "encoder, VAE and tokenizer go with single .safetensors files only",
            s.model));
}

ModelFamily detectModelFamily(const ModelSource& s) {
    if (!s.isSingleFiles()) return io::locateCheckpoint(s.model).family;
    const fs::path file = s.transformer ? *s.transformer : fs::path(s.model);
    if (file.empty())
        throw ModelLoadError("no transformer given: name its file or an all-in-one checkpoint that holds it");
    const auto contents = models::inspectSingleFile(file);
    const auto* transformer = contents.find(models::FileComponentKind::Transformer);
    if (!transformer)
        throw ModelLoadError(
            fmt::format("{} holds no transformer (it holds {}): name the transformer file too", file.string(),
                        contents.describe()));
    switch (transformer->family) {
    case models::FileModelFamily::Lumina2:
    case models::FileModelFamily::Lumina2Diffusers:
        return ModelFamily::Lumina2;
    case models::FileModelFamily::LuminaNext:
        return ModelFamily::LuminaNext;
    default:
        throw ModelLoadError(fmt::format("{} holds {}, not a Lumina transformer", file.string(),
                                         models::describeFamily(transformer->family)));
    }
}

models::Lumina2FileSelection fileSelection(const ModelSource& s) {
    models::Lumina2FileSelection selection;
    if (!s.model.empty()) selection.checkpoint = fs::path(s.model);
    selection.transformer = s.transformer;
    selection.textEncoder = s.textEncoder;
    selection.vae = s.vae;
    selection.tokenizerFolder = s.tokenizerFolder;
    return selection;
}

} // namespace lumina::pipeline
