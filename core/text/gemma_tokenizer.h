#pragma once
// The Gemma tokenizer of the Lumina-Next checkpoint (docs/text.md), identical to transformers'
// GemmaTokenizer loaded from the same folder: added tokens matched atomically, then SentencePiece BPE with
// byte fallback on the text between them, <bos> prepended, truncation to 256 ids, padding to a multiple of 8.
#include "core/text/diffusers_preprocess.h"
#include "core/text/tokenizer_definition.h"

#include <ATen/core/Tensor.h>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lumina::text {

inline constexpr int kMaxPromptTokens = 256;
inline constexpr int kPadToMultipleOf = 8;

struct TokenizedText {
    std::vector<int> ids;
    std::vector<std::string> pieces;
    bool truncated = false;
    std::string keptText;    // the part of the prompt that the kept ids cover
    std::string droppedText; // the part of the prompt past the token limit (empty when not truncated)
};

struct TokenBatch {
    at::Tensor ids;  // (B, L) int64
    at::Tensor mask; // (B, L) int64, 1 on real tokens
};

class GemmaTokenizer {
public:
    // tokenizer.model if present, else a SentencePiece model built from tokenizer.json (cached in memory and
    // under appDataDirectory()/cache/tokenizers, keyed by a hash of the files; the model folder is not
    // written).
    static GemmaTokenizer load(const std::filesystem::path& tokenizerFolder);
    static GemmaTokenizer fromDefinition(TokenizerDefinition definition);

    // With <bos> (when the tokenizer adds it), no <eos>; truncated from the right to maxLength ids.
    // Throws InvalidRequest on invalid UTF-8.
    TokenizedText tokenize(const std::string& utf8Text, int maxLength = kMaxPromptTokens) const;
    // The positive-prompt path: pad to the longest, rounded up to a multiple of 8, at most 256.
    TokenBatch encodePrompts(const std::vector<std::string>& prompts) const;
    // The length encodePrompts pads `prompts` to.
    int64_t batchLength(const std::vector<std::string>& prompts) const;
    // The negative-prompt path: truncate and pad every prompt to exactly `length`, on the tokenizer's padding
    // side unless `side` says otherwise.
    TokenBatch encodeToLength(const std::vector<std::string>& prompts, int64_t length,
                              std::optional<PaddingSide> side = std::nullopt) const;

    PaddingSide paddingSide() const;
    int padId() const;
    int bosId() const;
    std::size_t vocabularySize() const;

    struct Impl;

private:
    explicit GemmaTokenizer(std::shared_ptr<const Impl> impl)
        : m_impl(std::move(impl)) {}
    TokenBatch pad(const std::vector<TokenizedText>& rows, int64_t length, PaddingSide side) const;
    std::shared_ptr<const Impl> m_impl;
};

} // namespace lumina::text
