#pragma once
// Reference: ComfyUI comfy/text_encoders/lumina2.py (Gemma2BTokenizer.state_dict stores the tokenizer as
// "spiece_model") and spiece_tokenizer.py (SPieceTokenizer: those bytes are a serialized SentencePiece
// ModelProto held in a uint8 tensor): the tokenizer that a single-file text encoder or checkpoint carries
// (docs/lumina2.md, Single-file weights).
#include "core/io/weight_set.h"
#include "core/text/gemma_tokenizer.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lumina::text {

// The keys of `weights` that name an embedded SentencePiece model: a key whose last part is "spiece_model"
// ("spiece_model" in a text-encoder file, "text_encoders.spiece_model" in a checkpoint).
std::vector<std::string> embeddedTokenizerKeys(const io::WeightSet& weights);

// The tokenizer stored under `key` of `file` (nullopt: the file's only embedded one), identical to
// transformers' GemmaTokenizer for the same tokenizer.model (readEmbeddedTokenizerDefinition). Throws
// ModelLoadError naming the file: no embedded tokenizer (the message says to give the checkpoint's tokenizer
// folder instead), a tensor that is not 1-D uint8, or bytes that are not a SentencePiece BPE model.
GemmaTokenizer loadEmbeddedTokenizer(const std::filesystem::path& file,
                                     const std::optional<std::string>& key = std::nullopt);

} // namespace lumina::text
