#pragma once
// The subset of SentencePiece's ModelProto (sentencepiece_model.proto, public schema) that a BPE model needs,
// written and read in protobuf wire format by hand: Debian's libsentencepiece ships no generated headers.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lumina::text {

// Values of ModelProto.SentencePiece.Type.
enum class PieceType : int { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

struct ProtoPiece {
    std::string piece;
    float score = 0.0f;
    PieceType type = PieceType::Normal;
};

struct SentencePieceModelSpec {
    std::vector<ProtoPiece> pieces;
    int modelType = 2; // TrainerSpec.ModelType: UNIGRAM 1, BPE 2, WORD 3, CHAR 4
    bool byteFallback = true;
    int unkId = 3, bosId = 2, eosId = 1, padId = 0;
    std::string unkPiece = "<unk>", bosPiece = "<bos>", eosPiece = "<eos>", padPiece = "<pad>";
    // NormalizerSpec: identity, no dummy prefix, spaces kept and escaped to U+2581.
    bool addDummyPrefix = false;
    bool removeExtraWhitespaces = false;
    bool escapeWhitespaces = true;
    std::string normalizerName = "identity";
};

// Serializes spec as a ModelProto that SentencePieceProcessor::LoadFromSerializedProto accepts.
std::string serializeModelProto(const SentencePieceModelSpec& spec);

// Reads pieces, trainer and normalizer fields back from a serialized ModelProto (a tokenizer.model file).
// Throws ModelLoadError naming `source` when the bytes are not a well-formed ModelProto.
SentencePieceModelSpec parseModelProto(std::string_view bytes, const std::string& source);

} // namespace lumina::text
