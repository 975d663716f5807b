#pragma once
// What the user names as the model: a diffusers pipeline (a folder, a Hugging Face cache folder, a repo id;
// io::locateCheckpoint) or Lumina-Image 2.0 as the single .safetensors files people download (an all-in-one
// checkpoint and/or the separate transformer, text-encoder and VAE files; docs/lumina2.md, Single-file
// weights). The family is told from the files' contents (model_index.json, or the tensor names), never from a
// file name.
#include "core/models/single_file/lumina2_files.h"
#include "core/vocabulary/choices.h"

#include <filesystem>
#include <optional>
#include <string>

namespace lumina::pipeline {

struct ModelSource {
    // A pipeline folder, a repo id, or a .safetensors file (an all-in-one checkpoint, or one part when the
    // others are given below). Empty when every part is given separately.
    std::string model;
    // Parts given separately; each wins over the same part of the checkpoint (only with single files).
    std::optional<std::filesystem::path> transformer, textEncoder, vae;
    // A diffusers tokenizer/ folder, for files that carry no tokenizer.
    std::optional<std::filesystem::path> tokenizerFolder;

    // True when the weights come from .safetensors files rather than a pipeline folder: `model` names a file
    // (or a .safetensors path), or is empty and the parts are given.
    bool isSingleFiles() const;
};

// Checks that the pieces go together; throws InvalidRequest saying which do not: parts given with a pipeline
// folder or repo id, a `model` that is an existing file but not a .safetensors file, nothing given at all.
void checkModelSource(const ModelSource& source);

// The family, from model_index.json or from the transformer file's tensor names (inspectSingleFile). Reads
// headers only. Throws ModelLoadError naming the file when it cannot be told (no transformer in the file, an
// unreadable file, a folder that is no pipeline).
ModelFamily detectModelFamily(const ModelSource& source);

// The single-file selection for resolveLumina2Files (the model file as the checkpoint).
models::Lumina2FileSelection fileSelection(const ModelSource& source);

} // namespace lumina::pipeline
