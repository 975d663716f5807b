#pragma once
// Everything a Gemma-style tokenizer needs, read from either layout of a tokenizer folder:
// tokenizer.json (HF tokenizers BPE with byte fallback) or tokenizer.model (SentencePiece BPE), plus
// tokenizer_config.json. Both are reduced to one SentencePiece BPE model whose piece scores reproduce the HF
// merge order (rank r -> score -r), and a list of added tokens that are matched atomically before BPE.
#include "core/text/sentencepiece_proto.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace lumina::text {

enum class PaddingSide { Left, Right };

struct AddedToken {
    std::string content;
    int id = 0;
    bool special = false;
    bool normalized = false; // matched on the normalized text (" " -> U+2581) instead of the raw text
};

struct TokenizerDefinition {
    SentencePieceModelSpec model; // what sentencepiece runs between added tokens
    std::vector<AddedToken> addedTokens;
    bool addBos = true;
    bool addEos = false;
    int bosId = 2, eosId = 1, padId = 0, unkId = 3;
    PaddingSide paddingSide = PaddingSide::Left; // GemmaTokenizer(Fast) class default
    std::string source;                          // the file it came from, for messages
};

// Reads tokenizer.model when present, else tokenizer.json; tokenizer_config.json when present.
// Throws ModelLoadError naming the file and field for anything unusable.
TokenizerDefinition readTokenizerDefinition(const std::filesystem::path& folder);

// A tokenizer.model's bytes embedded in a single file (ComfyUI's spiece_model tensor), reduced as
// readTokenizerDefinition reduces a folder's tokenizer.model, with Gemma's tokenizer_config.json settings
// (<bos> added, no <eos>) in place of the file that does not travel with the bytes. `source` names the bytes
// in messages (file and key). Throws ModelLoadError when they are not a SentencePiece BPE model.
TokenizerDefinition readEmbeddedTokenizerDefinition(std::string_view modelBytes, const std::string& source);

// The pieces of the HF BPE vocabulary (by id, empty for unused ids) and merge ranks reduced to a
// SentencePiece BPE model. Exposed for tests.
struct BpeVocabulary {
    std::vector<std::string> pieces;
    std::vector<std::pair<std::string, std::string>> merges; // by rank: (left, right) pieces
    bool byteFallback = true;
    int unkId = 3;
};
// SentencePiece merges any adjacent pair whose concatenation is a piece, in the order of the piece's score;
// HF merges only listed pairs, by rank. They agree when, for every merged piece, the ranks that make it are
// adjacent (interleavedMerges == 0) and every split of it into two producible pieces is a listed merge
// (unlistedPairs == 0). Tokenizers converted from SentencePiece (Gemma's) satisfy both; others get a warning.
struct BpeConsistency {
    std::size_t interleavedMerges = 0;
    std::size_t unlistedPairs = 0;
};
SentencePieceModelSpec toSentencePieceSpec(const BpeVocabulary& vocab, const std::string& source,
                                           BpeConsistency* consistency = nullptr);

} // namespace lumina::text
