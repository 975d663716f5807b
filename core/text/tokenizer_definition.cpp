// Reduces tokenizer.json (HF tokenizers BPE, as transformers' GemmaTokenizer reads it) and tokenizer.model
// (as transformers' GemmaSentencePieceExtractor converts it) to one SentencePiece BPE model.
// References read: transformers tokenization_gemma.py, convert_slow_tokenizer.py (GemmaConverter,
// SentencePieceExtractor), tokenization_utils_base.py generate_merges, tokenization_utils_tokenizers.py.
#include "core/text/tokenizer_definition.h"

#include "core/io/json_file.h"
#include "core/util/errors.h"
#include "core/util/log.h"
#include "core/util/utf8.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace lumina::text {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kSpaceMark = "\xE2\x96\x81"; // U+2581, what the normalizer turns " " into

std::size_t codePointCount(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

bool isSingleCodePoint(const std::string& s) {
    return !s.empty() && codePointCount(s) == 1;
}

bool isBytePiece(const std::string& s) {
    auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); };
    return s.size() == 6 && s.compare(0, 3, "<0x") == 0 && hex(s[3]) && hex(s[4]) && s[5] == '>';
}

std::string readBinaryFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ModelLoadError(fmt::format("{}: cannot be read; check the file's permissions", path.string()));
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

[[noreturn]] void failField(const fs::path& file, const std::string& field, const std::string& problem) {
    throw ModelLoadError(fmt::format("{}: field '{}' {}", file.string(), field, problem));
}

// The special-token names of tokenizer_config.json: a string or an AddedToken object {"content": ...}.
std::optional<std::string> tokenName(const json& config, const std::string& key) {
    if (!config.is_object() || !config.contains(key) || config[key].is_null()) return std::nullopt;
    const auto& v = config[key];
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object() && v.contains("content") && v["content"].is_string())
        return v["content"].get<std::string>();
    return std::nullopt;
}

struct ConfigSettings {
    json config = json::object();
    fs::path path;
    bool present = false;
};

ConfigSettings readConfig(const fs::path& folder) {
    ConfigSettings s;
    s.path = folder / "tokenizer_config.json";
    if (fs::exists(s.path)) {
        s.config = io::readJsonObject(s.path);
        s.present = true;
    }
    return s;
}

void addAddedToken(TokenizerDefinition& def, AddedToken token) {
    for (auto& t : def.addedTokens)
        if (t.content == token.content) {
            t.special = t.special || token.special;
            return;
        }
    if (!token.content.empty()) def.addedTokens.push_back(std::move(token));
}

// Settings shared by both layouts: special-token ids, <bos>/<eos> flags, padding side, extra added tokens.
void applyConfig(TokenizerDefinition& def, const ConfigSettings& cfg,
                 const std::unordered_map<std::string, int>& pieceIds, std::optional<bool> jsonAddBos,
                 std::optional<bool> jsonAddEos, std::optional<PaddingSide> jsonPadding) {
    const auto& c = cfg.config;
    auto idOf = [&](const std::string& key, const std::string& fallback, bool required) -> int {
        const std::string name = tokenName(c, key).value_or(fallback);
        const auto it = pieceIds.find(name);
        if (it == pieceIds.end()) {
            if (required)
                throw ModelLoadError(fmt::format("{}: the {} '{}' is not in the vocabulary of {}",
                                                 cfg.path.string(), key, name, def.source));
            return -1;
        }
        return it->second;
    };
    def.bosId = idOf("bos_token", "<bos>", true);
    def.eosId = idOf("eos_token", "<eos>", false);
    def.padId = idOf("pad_token", "<pad>", true);
    def.unkId = idOf("unk_token", "<unk>", false);

    // transformers: an explicit add_bos_token/add_eos_token rebuilds the post-processor; otherwise the
    // tokenizer.json post-processor stands; with neither, the backend default is False.
    auto flag = [&](const char* key, std::optional<bool> fromJson, bool fallback) {
        if (c.contains(key) && c[key].is_boolean()) return c[key].get<bool>();
        if (c.contains(key) && !c[key].is_null()) failField(cfg.path, key, "must be true or false");
        return fromJson.value_or(fallback);
    };
    def.addBos = flag("add_bos_token", jsonAddBos, false);
    def.addEos = flag("add_eos_token", jsonAddEos, false);
    if (!def.addBos)
        log::warn("{}: the tokenizer adds no <bos> (no add_bos_token in tokenizer_config.json and no <bos> "
                  "in the post-processor); this follows transformers",
                  def.source);

    def.paddingSide = jsonPadding.value_or(PaddingSide::Left);
    if (c.contains("padding_side") && !c["padding_side"].is_null()) {
        const auto side = c["padding_side"].is_string() ? c["padding_side"].get<std::string>() : "";
        if (side == "left")
            def.paddingSide = PaddingSide::Left;
        else if (side == "right")
            def.paddingSide = PaddingSide::Right;
        else
            failField(cfg.path, "padding_side", "must be \"left\" or \"right\"");
    }

    // Added tokens listed only in tokenizer_config.json (added_tokens_decoder, extra/additional special
    // tokens).
    if (c.contains("added_tokens_decoder") && c["added_tokens_decoder"].is_object()) {
        for (const auto& [key, v] : c["added_tokens_decoder"].items()) {
            if (!v.is_object() || !v.contains("content") || !v["content"].is_string())
                failField(cfg.path, "added_tokens_decoder." + key,
                          "must be an object with a string 'content'");
            int id = 0;
            try {
                id = std::stoi(key);
            } catch (const std::exception&) {
                failField(cfg.path, "added_tokens_decoder." + key, "must be keyed by a token id");
            }
            addAddedToken(def, {v["content"].get<std::string>(), id, v.value("special", false),
                                v.value("normalized", false)});
        }
    }
    for (const char* key : {"extra_special_tokens", "additional_special_tokens"}) {
        if (!c.contains(key) || !c[key].is_array()) continue;
        for (const auto& v : c[key]) {
            std::string name = v.is_string() ? v.get<std::string>()
                               : (v.is_object() && v.contains("content") && v["content"].is_string())
                                   ? v["content"].get<std::string>()
                                   : std::string();
            const auto it = pieceIds.find(name);
            if (it != pieceIds.end()) addAddedToken(def, {name, it->second, true, false});
        }
    }
    for (int id : {def.bosId, def.eosId, def.padId, def.unkId})
        if (id >= 0)
            for (const auto& [name, pid] : pieceIds)
                if (pid == id) {
                    addAddedToken(def, {name, id, true, false});
                    break;
                }
}

std::unordered_map<std::string, int> pieceIdMap(const std::vector<std::string>& pieces) {
    std::unordered_map<std::string, int> ids;
    ids.reserve(pieces.size() * 2);
    for (std::size_t i = 0; i < pieces.size(); ++i)
        if (!pieces[i].empty()) ids.emplace(pieces[i], static_cast<int>(i));
    return ids;
}

// transformers generate_merges(vocab, vocab_scores): every split of every piece into two vocabulary pieces,
// ordered by the merged piece's score (descending), then by the lengths of the left and right parts
// (descending), stable; within one piece by the ids of the parts.
std::vector<std::pair<std::string, std::string>>
mergesFromScores(const SentencePieceModelSpec& spec, std::unordered_map<std::string, int> vocab) {
    struct Merge {
        std::string left, right;
        float score;
        std::size_t leftLen, rightLen;
    };
    // GemmaSentencePieceExtractor: a vocabulary without "\t" treats it as the byte piece <0x09>.
    if (!vocab.count("\t") && vocab.count("<0x09>")) vocab["\t"] = vocab["<0x09>"];
    std::vector<Merge> merges;
    for (const auto& p : spec.pieces) {
        std::vector<std::pair<std::pair<int, int>, Merge>> local;
        for (std::size_t cut = 1; cut < p.piece.size(); ++cut) {
            if ((static_cast<unsigned char>(p.piece[cut]) & 0xC0) == 0x80) continue; // inside a code point
            std::string l = p.piece.substr(0, cut), r = p.piece.substr(cut);
            const auto li = vocab.find(l), ri = vocab.find(r);
            if (li == vocab.end() || ri == vocab.end()) continue;
            local.push_back(
                {{li->second, ri->second}, {l, r, p.score, codePointCount(l), codePointCount(r)}});
        }
        std::stable_sort(local.begin(), local.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        for (auto& [ids, m] : local)
            merges.push_back(std::move(m));
    }
    std::stable_sort(merges.begin(), merges.end(), [](const Merge& a, const Merge& b) {
        if (a.score != b.score) return a.score > b.score;
        if (a.leftLen != b.leftLen) return a.leftLen > b.leftLen;
        return a.rightLen > b.rightLen;
    });
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(merges.size());
    for (auto& m : merges)
        out.emplace_back(std::move(m.left), std::move(m.right));
    return out;
}

// A serialized SentencePiece ModelProto (tokenizer.model, or the bytes a single file embeds) with the
// settings of `cfg`; `source` names it in messages.
TokenizerDefinition fromSentencePieceBytes(std::string_view bytes, const std::string& source,
                                           const ConfigSettings& cfg) {
    const SentencePieceModelSpec spec = parseModelProto(bytes, source);
    if (spec.modelType != 2)
        throw ModelLoadError(
            fmt::format("{}: trainer_spec.model_type is {} ({}); expected BPE (2), as in Gemma", source,
                        spec.modelType, spec.modelType == 1 ? "UNIGRAM" : "not BPE"));
    TokenizerDefinition def;
    def.source = source;
    BpeVocabulary vocab;
    vocab.byteFallback = spec.byteFallback;
    vocab.unkId = spec.unkId;
    for (const auto& p : spec.pieces)
        vocab.pieces.push_back(p.piece);
    auto ids = pieceIdMap(vocab.pieces);
    vocab.merges = mergesFromScores(spec, ids);
    // Control and user-defined pieces become added tokens (control ones special), as the converter does.
    for (std::size_t i = 0; i < spec.pieces.size(); ++i) {
        const auto t = spec.pieces[i].type;
        if (t == PieceType::Control || t == PieceType::UserDefined)
            addAddedToken(def, {spec.pieces[i].piece, static_cast<int>(i), t == PieceType::Control, false});
    }
    // GemmaTokenizer adds its mask token "<mask>" after the vocabulary when the model lacks it.
    if (!ids.count("<mask>")) {
        const int id = static_cast<int>(vocab.pieces.size());
        vocab.pieces.push_back("<mask>");
        ids.emplace("<mask>", id);
        addAddedToken(def, {"<mask>", id, true, false});
    }
    def.model = toSentencePieceSpec(vocab, def.source);
    def.model.escapeWhitespaces = true;
    applyConfig(def, cfg, ids, std::nullopt, std::nullopt, std::nullopt);
    return def;
}

TokenizerDefinition fromSentencePieceModel(const fs::path& folder) {
    const fs::path path = folder / "tokenizer.model";
    return fromSentencePieceBytes(readBinaryFile(path), path.string(), readConfig(folder));
}

TokenizerDefinition fromTokenizerJson(const fs::path& folder) {
    const fs::path path = folder / "tokenizer.json";
    const json j = io::readJsonObject(path);
    TokenizerDefinition def;
    def.source = path.string();
    if (!j.contains("model") || !j["model"].is_object())
        failField(path, "model", "is missing or not an object");
    const json& m = j["model"];
    const std::string type = m.contains("type") && m["type"].is_string() ? m["type"].get<std::string>() : "";
    if (type != "BPE")
        failField(path, "model.type",
                  fmt::format("is '{}'; expected 'BPE' (a Gemma tokenizer)",
                              type.empty() ? std::string("missing") : type));
    for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"})
        if (m.contains(key) && !m[key].is_null() &&
            !(m[key].is_string() && m[key].get<std::string>().empty()))
            failField(path, std::string("model.") + key, "is set; Gemma's BPE uses none");
    if (m.contains("dropout") && !m["dropout"].is_null() && !(m["dropout"].is_number() && m["dropout"] == 0))
        failField(path, "model.dropout", "is set; only deterministic BPE is supported");
    if (!m.contains("vocab") || !m["vocab"].is_object())
        failField(path, "model.vocab", "is missing or not an object of piece -> id");
    if (!m.contains("merges") || !m["merges"].is_array())
        failField(path, "model.merges", "is missing or not a list");

    BpeVocabulary vocab;
    vocab.byteFallback = m.value("byte_fallback", false);
    auto place = [&](const std::string& piece, int64_t id, const std::string& field) {
        if (id < 0 || id > 50'000'000) failField(path, field, fmt::format("has an invalid id {}", id));
        if (static_cast<std::size_t>(id) >= vocab.pieces.size())
            vocab.pieces.resize(static_cast<std::size_t>(id) + 1);
        auto& slot = vocab.pieces[static_cast<std::size_t>(id)];
        if (!slot.empty() && slot != piece)
            failField(path, field,
                      fmt::format("gives id {} to '{}' which already belongs to '{}'", id, piece, slot));
        slot = piece;
    };
    for (const auto& [piece, id] : m["vocab"].items()) {
        if (!id.is_number_integer()) failField(path, "model.vocab." + piece, "must be an integer id");
        if (piece.empty()) failField(path, "model.vocab", "contains an empty piece");
        place(piece, id.get<int64_t>(), "model.vocab." + piece);
    }
    std::vector<AddedToken> added;
    if (j.contains("added_tokens") && !j["added_tokens"].is_null()) {
        if (!j["added_tokens"].is_array()) failField(path, "added_tokens", "must be a list");
        std::size_t i = 0;
        for (const auto& t : j["added_tokens"]) {
            const std::string field = fmt::format("added_tokens[{}]", i++);
            if (!t.is_object() || !t.contains("content") || !t["content"].is_string() || !t.contains("id") ||
                !t["id"].is_number_integer())
                failField(path, field, "must be an object with 'id' (integer) and 'content' (string)");
            AddedToken a{t["content"].get<std::string>(), t["id"].get<int>(), t.value("special", false),
                         t.value("normalized", false)};
            if (a.content.empty()) failField(path, field, "has empty content");
            place(a.content, a.id, field);
            added.push_back(std::move(a));
        }
    }
    const auto& merges = m["merges"];
    vocab.merges.reserve(merges.size());
    for (std::size_t i = 0; i < merges.size(); ++i) {
        const auto& e = merges[i];
        if (e.is_string()) {
            const auto s = e.get<std::string>();
            const auto sp = s.find(' ');
            if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
                failField(path, fmt::format("model.merges[{}]", i), "must be \"left right\"");
            vocab.merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
        } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
            vocab.merges.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
        } else {
            failField(path, fmt::format("model.merges[{}]", i), "must be \"left right\" or [left, right]");
        }
    }
    const auto ids = pieceIdMap(vocab.pieces);
    const std::string unk = m.contains("unk_token") && m["unk_token"].is_string()
                                ? m["unk_token"].get<std::string>()
                                : std::string("<unk>");
    const auto unkIt = ids.find(unk);
    if (unkIt == ids.end())
        failField(path, "model.unk_token", fmt::format("'{}' is not in model.vocab", unk));
    vocab.unkId = unkIt->second;

    // Normalizer: Gemma's Replace(" " -> U+2581) (or none); the pre-tokenizer then has nothing left to split.
    bool replacesSpaces = false;
    const json normalizer = j.value("normalizer", json());
    auto isSpaceReplace = [&](const json& n) {
        return n.is_object() && n.value("type", "") == "Replace" && n.contains("pattern") &&
               n["pattern"].is_object() && n["pattern"].value("String", "") == " " &&
               n.value("content", "") == kSpaceMark;
    };
    if (isSpaceReplace(normalizer)) {
        replacesSpaces = true;
    } else if (normalizer.is_object() && normalizer.value("type", "") == "Sequence" &&
               normalizer.contains("normalizers") && normalizer["normalizers"].is_array() &&
               normalizer["normalizers"].size() == 1 && isSpaceReplace(normalizer["normalizers"][0])) {
        replacesSpaces = true;
    } else if (!normalizer.is_null()) {
        failField(path, "normalizer",
                  fmt::format("is {}; expected Gemma's Replace(\" \", \"\u2581\") or null",
                              normalizer.value("type", std::string("unknown"))));
    }
    const json pre = j.value("pre_tokenizer", json());
    const bool splitOnSpaceNoop = pre.is_object() && pre.value("type", "") == "Split" &&
                                  pre.contains("pattern") && pre["pattern"].is_object() &&
                                  pre["pattern"].value("String", "") == " " && replacesSpaces;
    if (!pre.is_null() && !splitOnSpaceNoop)
        failField(path, "pre_tokenizer",
                  fmt::format("is {}; expected none or Gemma's Split(\" \") after the "
                              "space-replacing normalizer",
                              pre.value("type", std::string("unknown"))));

    std::optional<bool> addBos, addEos;
    const json post = j.value("post_processor", json());
    if (post.is_object() && post.value("type", "") == "TemplateProcessing" && post.contains("single") &&
        post["single"].is_array()) {
        const auto& single = post["single"];
        addBos = !single.empty() && single.front().contains("SpecialToken");
        addEos = single.size() > 1 && single.back().contains("SpecialToken");
    }
    std::optional<PaddingSide> padding;
    const json pad = j.value("padding", json());
    if (pad.is_object() && pad.contains("direction") && pad["direction"].is_string())
        padding = pad["direction"].get<std::string>() == "Right" ? PaddingSide::Right : PaddingSide::Left;

    for (auto& a : added)
        addAddedToken(def, std::move(a));
    def.model = toSentencePieceSpec(vocab, def.source);
    def.model.escapeWhitespaces = replacesSpaces;
    applyConfig(def, readConfig(folder), ids, addBos, addEos, padding);
    return def;
}

} // namespace

SentencePieceModelSpec toSentencePieceSpec(const BpeVocabulary& vocab, const std::string& source,
                                           BpeConsistency* consistency) {
    const auto ids = pieceIdMap(vocab.pieces);
    const std::size_t n = vocab.pieces.size();
    std::vector<float> score(n, std::numeric_limits<float>::quiet_NaN());
    std::vector<int> lastRankPiece; // piece made by the previous rank, to check contiguity
    std::size_t interleaved = 0;
    int previous = -1;
    for (std::size_t rank = 0; rank < vocab.merges.size(); ++rank) {
        const auto& [l, r] = vocab.merges[rank];
        if (!ids.count(l) || !ids.count(r))
            throw ModelLoadError(
                fmt::format("{}: model.merges[{}] '{} {}' uses a piece that is not in the vocabulary", source,
                            rank, l, r));
        const auto it = ids.find(l + r);
        if (it == ids.end())
            throw ModelLoadError(
                fmt::format("{}: model.merges[{}] '{} {}' makes a piece that is not in the vocabulary",
                            source, rank, l, r));
        const int id = it->second;
        if (std::isnan(score[id])) {
            // SentencePiece merges the highest score first; the earliest rank that makes a piece wins in HF.
            score[id] = -static_cast<float>(rank);
        } else if (previous != id) {
            ++interleaved;
        }
        previous = id;
    }
    // Pairs that sentencepiece would merge (both halves producible, the concatenation a merged piece) but
    // that no HF merge lists.
    std::unordered_set<std::string> listed;
    listed.reserve(vocab.merges.size() * 2);
    for (const auto& [l, r] : vocab.merges)
        listed.insert(l + '\x01' + r);
    auto producible = [&](const std::string& piece) {
        const auto it = ids.find(piece);
        return it != ids.end() && (!std::isnan(score[it->second]) || isSingleCodePoint(piece));
    };
    std::size_t unlisted = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (std::isnan(score[i])) continue;
        const auto& p = vocab.pieces[i];
        for (std::size_t cut = 1; cut < p.size(); ++cut) {
            if ((static_cast<unsigned char>(p[cut]) & 0xC0) == 0x80) continue;
            const std::string l = p.substr(0, cut), r = p.substr(cut);
            if (producible(l) && producible(r) && !listed.count(l + '\x01' + r)) ++unlisted;
        }
    }
    if (consistency) *consistency = {interleaved, unlisted};
    if (interleaved || unlisted)
        log::warn(
            "{}: the BPE merges are not in SentencePiece order ({} interleaved ranks, {} unlisted pairs); "
            "rare words may split differently from HF tokenizers",
            source, interleaved, unlisted);
    if (vocab.merges.size() > (1u << 24))
        log::warn("{}: more than 2^24 merges; float scores can no longer order them exactly", source);

    SentencePieceModelSpec spec;
    spec.byteFallback = vocab.byteFallback;
    spec.unkId = vocab.unkId;
    spec.unkPiece = vocab.pieces.at(static_cast<std::size_t>(vocab.unkId));
    // sentencepiece only encodes the text between added tokens: <bos>/<eos>/<pad> are added by the caller.
    spec.bosId = spec.eosId = spec.padId = -1;
    const float charScore = -static_cast<float>(vocab.merges.size() + 1);
    std::vector<bool> haveByte(256, false);
    spec.pieces.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        auto& p = spec.pieces[i];
        p.piece = vocab.pieces[i];
        if (p.piece.empty()) {
            p.piece = fmt::format("<lumina_unused_{}>", i); // an id no file names; never produced
            p.type = PieceType::Control;
        } else if (static_cast<int>(i) == vocab.unkId) {
            p.type = PieceType::Unknown;
        } else if (vocab.byteFallback && isBytePiece(p.piece)) {
            p.type = PieceType::Byte;
            haveByte[std::stoi(p.piece.substr(3, 2), nullptr, 16)] = true;
        } else if (!std::isnan(score[i])) {
            p.type = PieceType::Normal;
            p.score = score[i];
        } else if (isSingleCodePoint(p.piece)) {
            p.type = PieceType::Normal; // an initial BPE symbol
            p.score = charScore;
        } else {
            p.type = PieceType::Control; // no merge makes it: HF BPE never outputs it
        }
    }
    if (vocab.byteFallback)
        for (int b = 0; b < 256; ++b)
            if (!haveByte[b])
                throw ModelLoadError(
                    fmt::format("{}: byte_fallback is on but the vocabulary lacks the byte piece "
                                "<0x{:02X}>",
                                source, b));
    return spec;
}

TokenizerDefinition readEmbeddedTokenizerDefinition(std::string_view modelBytes, const std::string& source) {
    // No tokenizer_config.json travels with the bytes: Gemma's own settings stand in for it (add_bos_token
    // true, add_eos_token false, in google/gemma-2-2b's tokenizer_config.json and in ComfyUI's
    // Gemma2BTokenizer), and the class default padding side (left). Without them transformers would add no
    // <bos>.
    ConfigSettings cfg;
    cfg.config = json{{"add_bos_token", true}, {"add_eos_token", false}};
    cfg.path = source;
    return fromSentencePieceBytes(modelBytes, source, cfg);
}

TokenizerDefinition readTokenizerDefinition(const fs::path& folder) {
    if (!fs::is_directory(folder))
        throw ModelLoadError(
            fmt::format("{}: tokenizer folder not found; expected a folder with tokenizer.json "
                        "or tokenizer.model",
                        folder.string()));
    if (fs::exists(folder / "tokenizer.model")) return fromSentencePieceModel(folder);
    if (fs::exists(folder / "tokenizer.json")) return fromTokenizerJson(folder);
    throw ModelLoadError(fmt::format("{}: neither tokenizer.model nor tokenizer.json is there; point at the "
                                     "checkpoint's 'tokenizer' folder",
                                     folder.string()));
}

} // namespace lumina::text
