// Reference: ComfyUI comfy/supported_models.py (class Lumina2) and comfy/sd.py (load_state_dict_guess_config
// splits a checkpoint into its parts by these prefixes); the part loaders are the single-file loaders of
// lumina2_single_file.h, gemma_single_file.h and vae_single_file.h.
#include "core/models/single_file/lumina2_files.h"

#include "core/models/lumina2/lumina2_single_file.h"
#include "core/models/vae/vae_single_file.h"
#include "core/text/embedded_tokenizer.h"
#include "core/util/errors.h"

#include <fmt/format.h>
#include <map>

namespace lumina::models {
namespace {

namespace fs = std::filesystem;

// The family each part must have for Lumina-Image 2.0, and what to say about the others.
FileModelFamily wantedFamily(FileComponentKind kind) {
    switch (kind) {
    case FileComponentKind::Transformer:
        return FileModelFamily::Lumina2;
    case FileComponentKind::TextEncoder:
        return FileModelFamily::Gemma2;
    case FileComponentKind::VAE:
        return FileModelFamily::FluxVAE;
    case FileComponentKind::Tokenizer:
        return FileModelFamily::SentencePiece;
    }
    return FileModelFamily::SentencePiece;
}

std::string adviceFor(FileModelFamily family) {
    switch (family) {
    case FileModelFamily::Lumina2Diffusers:
        return "; a diffusers-layout transformer does not state its configuration: load its transformer/ "
               "folder "
               "with config.json";
    case FileModelFamily::LuminaNext:
    case FileModelFamily::Gemma:
        return "; that is a Lumina-Next component, load Lumina-Next from its diffusers folder";
    case FileModelFamily::SDXLVAE:
        return "; Lumina-Image 2.0 decodes with the FLUX-format VAE (16 latent channels)";
    default:
        return "";
    }
}

class Inspected {
public:
    const SingleFileContents& of(const fs::path& file) {
        auto it = m_files.find(file);
        if (it != m_files.end()) return it->second;
        auto contents = inspectSingleFile(file);
        if (!contents.unknownKeys.empty())
            throw ModelLoadError(fmt::format(
                "{}: {} tensor(s) belong to no Lumina-Image 2.0 component; the file holds {}. Is it a "
                "complete, unmodified Lumina-Image 2.0 file?",
                file.string(), contents.unknownKeys.size(), contents.describe()));
        return m_files.emplace(file, std::move(contents)).first->second;
    }

private:
    std::map<fs::path, SingleFileContents> m_files;
};

// The part of `kind` from the file given for it, else from the checkpoint.
Lumina2FilePart pick(Inspected& inspected, FileComponentKind kind, const std::optional<fs::path>& given,
                     const std::optional<fs::path>& checkpoint) {
    const auto what = describeKind(kind);
    if (!given && !checkpoint)
        throw ModelLoadError(
            fmt::format("no {} given: choose a {} file or an all-in-one checkpoint", what, what));
    const auto& file = given ? *given : *checkpoint;
    const auto& contents = inspected.of(file);
    const auto* part = contents.find(kind);
    const auto role = given ? fmt::format("was given as the {}", what) : std::string("is the checkpoint");
    if (!part)
        throw ModelLoadError(fmt::format("{} {} but holds no {}: it holds {}{}", file.string(), role, what,
                                         contents.describe(),
                                         given ? "" : fmt::format("; give a {} file as well", what)));
    if (part->family != wantedFamily(kind))
        throw ModelLoadError(fmt::format("{} {} but its {} is a {}, not a {}{}", file.string(), role, what,
                                         describeFamily(part->family), describeFamily(wantedFamily(kind)),
                                         adviceFor(part->family)));
    return {file, part->prefix};
}

} // namespace

Lumina2ModelFiles resolveLumina2Files(const Lumina2FileSelection& selection) {
    Inspected inspected;
    Lumina2ModelFiles files;
    files.transformer =
        pick(inspected, FileComponentKind::Transformer, selection.transformer, selection.checkpoint);
    files.textEncoder =
        pick(inspected, FileComponentKind::TextEncoder, selection.textEncoder, selection.checkpoint);
    files.vae = pick(inspected, FileComponentKind::VAE, selection.vae, selection.checkpoint);
    if (selection.tokenizerFolder) {
        files.tokenizerFolder = selection.tokenizerFolder;
        return files;
    }
    // ComfyUI keeps the tokenizer with the text encoder; a checkpoint carries it for its own encoder.
    std::vector<fs::path> searched{files.textEncoder.file};
    if (selection.checkpoint && *selection.checkpoint != files.textEncoder.file)
        searched.push_back(*selection.checkpoint);
    for (const auto& file : searched)
        if (const auto* tokenizer = inspected.of(file).find(FileComponentKind::Tokenizer)) {
            files.embeddedTokenizer = Lumina2FilePart{file, tokenizer->prefix};
            return files;
        }
    throw ModelLoadError(fmt::format(
        "no tokenizer: {} carries no SentencePiece model (spiece_model); give the tokenizer folder of the "
        "diffusers checkpoint (tokenizer/, with tokenizer.json or tokenizer.model)",
        searched.size() == 1 ? searched.front().string()
                             : fmt::format("neither {} nor {}", searched[0].string(), searched[1].string())));
}

std::shared_ptr<Lumina2TransformerImpl> loadLumina2TransformerPart(const Lumina2ModelFiles& files,
                                                                   const io::LoadOptions& options,
                                                                   const Lumina2Config& unstored) {
    // The transformer loader finds the same prefix by the same rule (model.diffusion_model. or the top
    // level).
    return loadLumina2TransformerSingleFile(files.transformer.file, options, unstored);
}

std::shared_ptr<GemmaModelImpl> loadLumina2TextEncoderPart(const Lumina2ModelFiles& files,
                                                           const io::LoadOptions& options,
                                                           const GemmaConfig& unstored) {
    return loadGemmaSingleFile(files.textEncoder.file, options, files.textEncoder.prefix, unstored);
}

std::shared_ptr<AutoencoderKLImpl> loadLumina2VAEPart(const Lumina2ModelFiles& files,
                                                      const io::LoadOptions& options) {
    return loadVAESingleFile(files.vae.file, options, files.vae.prefix);
}

text::GemmaTokenizer loadLumina2TokenizerPart(const Lumina2ModelFiles& files) {
    if (files.tokenizerFolder) return text::GemmaTokenizer::load(*files.tokenizerFolder);
    if (!files.embeddedTokenizer)
        throw ModelLoadError(
            "no tokenizer: neither a tokenizer folder nor an embedded tokenizer was resolved");
    return text::loadEmbeddedTokenizer(files.embeddedTokenizer->file, files.embeddedTokenizer->prefix);
}

void validateLumina2Files(const Lumina2ModelFiles& files, const Lumina2Config& transformerUnstored,
                          const GemmaConfig& textEncoderUnstored) {
    validateLumina2TransformerSingleFile(files.transformer.file, transformerUnstored);
    validateGemmaSingleFile(files.textEncoder.file, files.textEncoder.prefix, textEncoderUnstored);
    validateVAESingleFile(files.vae.file, files.vae.prefix);
}

} // namespace lumina::models
