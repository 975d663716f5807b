#pragma once
// A Lumina-Image 2.0 model given as single files instead of a diffusers folder: an all-in-one checkpoint
// (ComfyUI's layout, e.g. Comfy-Org's all_in_one/lumina_2.safetensors, NetaYume / Neta Lumina files) and/or
// separate transformer, text-encoder and VAE files (Comfy-Org's split_files), and where the tokenizer comes
// from. Reference: ComfyUI comfy/supported_models.py (class Lumina2, clip_target: the checkpoint prefixes and
// the logit_scale / spiece_model beside the encoder); docs/lumina2.md, Single-file weights.
#include "core/io/module_loader.h"
#include "core/models/gemma/gemma_single_file.h"
#include "core/models/lumina2/lumina2_config.h"
#include "core/models/lumina2/lumina2_model.h"
#include "core/models/single_file/single_file_contents.h"
#include "core/models/vae/autoencoder_kl.h"
#include "core/text/gemma_tokenizer.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace lumina::models {

// What the user picked. A separately given file wins over the checkpoint's part of the same kind.
struct Lumina2FileSelection {
    std::optional<std::filesystem::path> checkpoint; // an all-in-one .safetensors
    std::optional<std::filesystem::path> transformer, textEncoder, vae;
    std::optional<std::filesystem::path> tokenizerFolder; // a diffusers tokenizer/ folder
};

struct Lumina2FilePart {
    std::filesystem::path file;
    std::string prefix; // the component's key prefix in that file ("" at the top level)
};

// Where each part is read from. Exactly one tokenizer source is set: the folder when one was given, otherwise
// the embedded SentencePiece model (prefix = its whole key).
struct Lumina2ModelFiles {
    Lumina2FilePart transformer, textEncoder, vae;
    std::optional<Lumina2FilePart> embeddedTokenizer;
    std::optional<std::filesystem::path> tokenizerFolder;
};

// Inspects every given file by its keys (inspectSingleFile) and picks each part. Throws ModelLoadError naming
// the file and what it holds (SingleFileContents::describe) when: a file holds tensors of no known component;
// a file given as a part does not hold that part, or holds it of another family (a Lumina-Next transformer, a
// Gemma 1 encoder, an SDXL VAE, a diffusers-layout transformer); a part is neither given nor in the
// checkpoint; no tokenizer folder is given and no file carries one (spiece_model).
Lumina2ModelFiles resolveLumina2Files(const Lumina2FileSelection& selection);

// Each part from its file. The transformer and text encoder take, for what their files do not state, the
// published configurations unless told otherwise. Same dtype rules as the folder loaders.
std::shared_ptr<Lumina2TransformerImpl>
loadLumina2TransformerPart(const Lumina2ModelFiles& files, const io::LoadOptions& options,
                           const Lumina2Config& unstored = lumina2ImageConfig());
std::shared_ptr<GemmaModelImpl>
loadLumina2TextEncoderPart(const Lumina2ModelFiles& files, const io::LoadOptions& options,
                           const GemmaConfig& unstored = publishedGemma2Config());
std::shared_ptr<AutoencoderKLImpl> loadLumina2VAEPart(const Lumina2ModelFiles& files,
                                                      const io::LoadOptions& options);
text::GemmaTokenizer loadLumina2TokenizerPart(const Lumina2ModelFiles& files);

// The checks of the three weight loaders (names and shapes) without reading tensor data.
void validateLumina2Files(const Lumina2ModelFiles& files,
                          const Lumina2Config& transformerUnstored = lumina2ImageConfig(),
                          const GemmaConfig& textEncoderUnstored = publishedGemma2Config());

} // namespace lumina::models
