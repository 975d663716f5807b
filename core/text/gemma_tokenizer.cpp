// Reference read: transformers models/gemma/tokenization_gemma.py (GemmaTokenizer), tokenizers'
// AddedVocabulary (leftmost-longest atomic matching of added tokens) and BPE model; diffusers
// LuminaPipeline._get_gemma_prompt_embeds.
#include "core/text/gemma_tokenizer.h"

#include "core/util/app_paths.h"
#include "core/util/errors.h"
#include "core/util/log.h"
#include "core/util/utf8.h"

#include <fmt/format.h>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sentencepiece_processor.h>
#include <sstream>
#include <torch/torch.h>

namespace lumina::text {
namespace fs = std::filesystem;

struct GemmaTokenizer::Impl {
    TokenizerDefinition def;
    sentencepiece::SentencePieceProcessor processor;
    std::vector<std::string> idToPiece;
    std::vector<std::vector<int>> rawTokensByFirstByte = std::vector<std::vector<int>>(256);
    std::vector<int> normalizedTokens;

    struct Span {
        std::size_t begin, end;
        int added; // index into def.addedTokens, -1 for text that goes through BPE
    };
    std::vector<Span> split(const std::string& text) const;
    std::size_t matchLength(const std::string& text, std::size_t pos, const AddedToken& token) const;
};

namespace {

constexpr int kCacheFormat = 1; // bump when the derivation of the cached model changes

const std::string kSpaceMark = "\xE2\x96\x81";

std::string readFileBytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

uint64_t fnv1a(std::string_view bytes, uint64_t h = 1469598103934665603ull) {
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

std::size_t utf8Len(unsigned char c) {
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

nlohmann::json sidecarOf(const TokenizerDefinition& d) {
    nlohmann::json added = nlohmann::json::array();
    for (const auto& a : d.addedTokens)
        added.push_back(
            {{"content", a.content}, {"id", a.id}, {"special", a.special}, {"normalized", a.normalized}});
    return {
        {"format", kCacheFormat}, {"added", added}, {"add_bos", d.addBos},
        {"add_eos", d.addEos},    {"bos", d.bosId}, {"eos", d.eosId},
        {"pad", d.padId},         {"unk", d.unkId}, {"padding_right", d.paddingSide == PaddingSide::Right},
        {"source", d.source}};
}

std::shared_ptr<GemmaTokenizer::Impl> makeImpl(TokenizerDefinition def, const std::string& serializedModel) {
    auto impl = std::make_shared<GemmaTokenizer::Impl>();
    const auto status = impl->processor.LoadFromSerializedProto(serializedModel);
    if (!status.ok())
        throw ModelLoadError(
            fmt::format("{}: sentencepiece rejected the tokenizer model: {}", def.source, status.ToString()));
    const int n = impl->processor.GetPieceSize();
    impl->idToPiece.resize(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        impl->idToPiece[static_cast<std::size_t>(i)] = impl->processor.IdToPiece(i);
    for (std::size_t i = 0; i < def.addedTokens.size(); ++i) {
        const auto& t = def.addedTokens[i];
        if (t.id < 0 || t.id >= n)
            throw ModelLoadError(fmt::format("{}: added token '{}' has id {} outside the vocabulary of {}",
                                             def.source, t.content, t.id, n));
        impl->idToPiece[static_cast<std::size_t>(t.id)] = t.content;
        if (t.normalized)
            impl->normalizedTokens.push_back(static_cast<int>(i));
        else
            impl->rawTokensByFirstByte[static_cast<unsigned char>(t.content[0])].push_back(
                static_cast<int>(i));
    }
    impl->def = std::move(def);
    return impl;
}

fs::path cacheFolder() {
    return appDataDirectory() / "cache" / "tokenizers";
}

std::shared_ptr<const GemmaTokenizer::Impl> loadCached(const fs::path& folder) {
    // The key covers every file that shapes the tokenizer, so an edited file never meets a stale cache.
    std::string keyBytes = fmt::format("lumina-tokenizer-v{}\n", kCacheFormat);
    const bool hasModel = fs::exists(folder / "tokenizer.model");
    for (const char* name : {hasModel ? "tokenizer.model" : "tokenizer.json", "tokenizer_config.json"}) {
        keyBytes += name;
        keyBytes += '\n';
        keyBytes += fmt::format("{:016x}\n", fnv1a(readFileBytes(folder / name)));
    }
    const std::string key = fmt::format("{:016x}", fnv1a(keyBytes));

    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const GemmaTokenizer::Impl>> memory;
    std::lock_guard lock(mutex);
    if (const auto it = memory.find(key); it != memory.end()) return it->second;

    const fs::path modelFile = cacheFolder() / (key + ".model");
    const fs::path sidecarFile = cacheFolder() / (key + ".json");
    std::shared_ptr<const GemmaTokenizer::Impl> impl;
    try {
        if (fs::exists(modelFile) && fs::exists(sidecarFile)) {
            const auto j = nlohmann::json::parse(readFileBytes(sidecarFile));
            if (j.at("format").get<int>() == kCacheFormat) {
                TokenizerDefinition d;
                for (const auto& a : j.at("added"))
                    d.addedTokens.push_back({a.at("content").get<std::string>(), a.at("id").get<int>(),
                                             a.at("special").get<bool>(), a.at("normalized").get<bool>()});
                d.addBos = j.at("add_bos").get<bool>();
                d.addEos = j.at("add_eos").get<bool>();
                d.bosId = j.at("bos").get<int>();
                d.eosId = j.at("eos").get<int>();
                d.padId = j.at("pad").get<int>();
                d.unkId = j.at("unk").get<int>();
                d.paddingSide = j.at("padding_right").get<bool>() ? PaddingSide::Right : PaddingSide::Left;
                d.source = j.at("source").get<std::string>();
                impl = makeImpl(std::move(d), readFileBytes(modelFile));
            }
        }
    } catch (const std::exception& e) {
        log::warn("tokenizer cache {} is unusable ({}); rebuilding it", modelFile.string(), e.what());
        impl.reset();
    }
    if (!impl) {
        TokenizerDefinition def = readTokenizerDefinition(folder);
        const std::string serialized = serializeModelProto(def.model);
        const auto sidecar = sidecarOf(def);
        def.model.pieces.clear(); // the processor holds them now
        impl = makeImpl(std::move(def), serialized);
        try { // best effort: a read-only data folder only costs the rebuild next time
            fs::create_directories(cacheFolder());
            const fs::path tmp = modelFile.string() + ".tmp";
            std::ofstream(tmp, std::ios::binary)
                .write(serialized.data(), static_cast<std::streamsize>(serialized.size()));
            fs::rename(tmp, modelFile);
            std::ofstream(sidecarFile) << sidecar.dump();
        } catch (const std::exception& e) {
            log::warn("could not cache the tokenizer under {}: {}", cacheFolder().string(), e.what());
        }
    }
    memory[key] = impl;
    return impl;
}

} // namespace

std::size_t GemmaTokenizer::Impl::matchLength(const std::string& text, std::size_t pos,
                                              const AddedToken& token) const {
    if (!token.normalized)
        return text.compare(pos, token.content.size(), token.content) == 0 ? token.content.size() : 0;
    // A normalized token is matched on the normalized text, where " " became U+2581.
    std::size_t t = pos, c = 0;
    const auto& s = token.content;
    while (c < s.size()) {
        if (t >= text.size()) return 0;
        if (s.compare(c, kSpaceMark.size(), kSpaceMark) == 0) {
            if (text[t] == ' ')
                t += 1;
            else if (text.compare(t, kSpaceMark.size(), kSpaceMark) == 0)
                t += kSpaceMark.size();
            else
                return 0;
            c += kSpaceMark.size();
        } else {
            if (text[t] != s[c]) return 0;
            ++t;
            ++c;
        }
    }
    return t - pos;
}

// tokenizers' AddedVocabulary: leftmost-longest matches of the non-normalized tokens on the raw text, then of
// the normalized tokens on what is left.
std::vector<GemmaTokenizer::Impl::Span> GemmaTokenizer::Impl::split(const std::string& text) const {
    auto pass = [&](std::size_t begin, std::size_t end, bool normalizedPass, std::vector<Span>& out) {
        std::size_t textStart = begin, pos = begin;
        while (pos < end) {
            std::size_t bestLen = 0;
            int best = -1;
            const auto& candidates = normalizedPass
                                         ? normalizedTokens
                                         : rawTokensByFirstByte[static_cast<unsigned char>(text[pos])];
            for (int idx : candidates) {
                const std::size_t len =
                    matchLength(text, pos, def.addedTokens[static_cast<std::size_t>(idx)]);
                if (len > bestLen && pos + len <= end) {
                    bestLen = len;
                    best = idx;
                }
            }
            if (best < 0) {
                pos += utf8Len(static_cast<unsigned char>(text[pos]));
                continue;
            }
            if (pos > textStart) out.push_back({textStart, pos, -1});
            out.push_back({pos, pos + bestLen, best});
            pos += bestLen;
            textStart = pos;
        }
        if (end > textStart) out.push_back({textStart, end, -1});
    };
    std::vector<Span> first;
    pass(0, text.size(), false, first);
    if (normalizedTokens.empty()) return first;
    std::vector<Span> second;
    for (const auto& s : first) {
        if (s.added >= 0)
            second.push_back(s);
        else
            pass(s.begin, s.end, true, second);
    }
    return second;
}

GemmaTokenizer GemmaTokenizer::load(const fs::path& tokenizerFolder) {
    if (!fs::is_directory(tokenizerFolder))
        throw ModelLoadError(
            fmt::format("{}: tokenizer folder not found; expected a folder with tokenizer.json or "
                        "tokenizer.model",
                        tokenizerFolder.string()));
    if (!fs::exists(tokenizerFolder / "tokenizer.model") && !fs::exists(tokenizerFolder / "tokenizer.json"))
        throw ModelLoadError(
            fmt::format("{}: neither tokenizer.model nor tokenizer.json is there; point at the "
                        "checkpoint's 'tokenizer' folder",
                        tokenizerFolder.string()));
    return GemmaTokenizer(loadCached(tokenizerFolder));
}

GemmaTokenizer GemmaTokenizer::fromDefinition(TokenizerDefinition definition) {
    const std::string serialized = serializeModelProto(definition.model);
    return GemmaTokenizer(makeImpl(std::move(definition), serialized));
}

TokenizedText GemmaTokenizer::tokenize(const std::string& text, int maxLength) const {
    requireValidUtf8(text, "the prompt");
    const auto& d = m_impl->def;
    const int specials = (d.addBos ? 1 : 0) + (d.addEos ? 1 : 0);
    if (maxLength < std::max(1, specials))
        throw InvalidRequest(fmt::format("token limit {} is too small; it must be at least {}", maxLength,
                                         std::max(1, specials)));
    struct Token {
        int id;
        std::size_t begin, end;
    };
    std::vector<Token> tokens;
    for (const auto& span : m_impl->split(text)) {
        if (span.added >= 0) {
            tokens.push_back({d.addedTokens[static_cast<std::size_t>(span.added)].id, span.begin, span.end});
            continue;
        }
        sentencepiece::ImmutableSentencePieceText spt;
        const auto status = m_impl->processor.Encode(
            std::string_view(text).substr(span.begin, span.end - span.begin), spt.mutable_proto());
        if (!status.ok())
            throw InvalidRequest(fmt::format("the prompt could not be tokenized: {}", status.ToString()));
        for (const auto& p : spt.pieces())
            tokens.push_back({static_cast<int>(p.id()), span.begin + p.begin(), span.begin + p.end()});
    }
    TokenizedText out;
    const std::size_t budget = static_cast<std::size_t>(maxLength - specials);
    std::size_t cut = text.size();
    if (tokens.size() > budget) {
        out.truncated = true;
        cut = std::min(tokens[budget].begin, text.size());
        while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
            --cut;
        tokens.resize(budget);
    }
    out.keptText = text.substr(0, cut);
    out.droppedText = text.substr(cut);
    auto push = [&](int id) {
        out.ids.push_back(id);
        out.pieces.push_back(m_impl->idToPiece.at(static_cast<std::size_t>(id)));
    };
    if (d.addBos) push(d.bosId);
    for (const auto& t : tokens)
        push(t.id);
    if (d.addEos) push(d.eosId);
    return out;
}

TokenBatch GemmaTokenizer::pad(const std::vector<TokenizedText>& rows, int64_t length,
                               PaddingSide side) const {
    const auto b = static_cast<int64_t>(rows.size());
    auto ids = torch::full({b, length}, static_cast<int64_t>(m_impl->def.padId), torch::kInt64);
    auto mask = torch::zeros({b, length}, torch::kInt64);
    auto ia = ids.accessor<int64_t, 2>();
    auto ma = mask.accessor<int64_t, 2>();
    const bool left = side == PaddingSide::Left;
    for (int64_t r = 0; r < b; ++r) {
        const auto& row = rows[static_cast<std::size_t>(r)].ids;
        const auto n = static_cast<int64_t>(row.size());
        const int64_t offset = left ? length - n : 0;
        for (int64_t i = 0; i < n; ++i) {
            ia[r][offset + i] = row[static_cast<std::size_t>(i)];
            ma[r][offset + i] = 1;
        }
    }
    return {ids, mask};
}

namespace {
int64_t paddedLength(const std::vector<TokenizedText>& rows) {
    int64_t longest = 0;
    for (const auto& row : rows)
        longest = std::max<int64_t>(longest, static_cast<int64_t>(row.ids.size()));
    return (longest + kPadToMultipleOf - 1) / kPadToMultipleOf * kPadToMultipleOf;
}
} // namespace

TokenBatch GemmaTokenizer::encodePrompts(const std::vector<std::string>& prompts) const {
    if (prompts.empty()) throw InvalidRequest("no prompt to encode");
    std::vector<TokenizedText> rows;
    for (const auto& p : prompts)
        rows.push_back(tokenize(p, kMaxPromptTokens));
    return pad(rows, paddedLength(rows), m_impl->def.paddingSide);
}

int64_t GemmaTokenizer::batchLength(const std::vector<std::string>& prompts) const {
    if (prompts.empty()) throw InvalidRequest("no prompt to encode");
    std::vector<TokenizedText> rows;
    for (const auto& p : prompts)
        rows.push_back(tokenize(p, kMaxPromptTokens));
    return paddedLength(rows);
}

TokenBatch GemmaTokenizer::encodeToLength(const std::vector<std::string>& prompts, int64_t length,
                                          std::optional<PaddingSide> side) const {
    if (prompts.empty()) throw InvalidRequest("no prompt to encode");
    if (length < 1 || length > 1'000'000)
        throw InvalidRequest(fmt::format("invalid token length {}", length));
    std::vector<TokenizedText> rows;
    for (const auto& p : prompts)
        rows.push_back(tokenize(p, static_cast<int>(length)));
    return pad(rows, length, side.value_or(m_impl->def.paddingSide));
}

PaddingSide GemmaTokenizer::paddingSide() const {
    return m_impl->def.paddingSide;
}
int GemmaTokenizer::padId() const {
    return m_impl->def.padId;
}
int GemmaTokenizer::bosId() const {
    return m_impl->def.bosId;
}
std::size_t GemmaTokenizer::vocabularySize() const {
    return m_impl->idToPiece.size();
}

} // namespace lumina::text
