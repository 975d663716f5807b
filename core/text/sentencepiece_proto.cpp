// Hand-written protobuf wire format for sentencepiece_model.proto (field numbers from the public schema).
#include "core/text/sentencepiece_proto.h"

#include "core/util/errors.h"

#include <cstring>
#include <fmt/format.h>

namespace lumina::text {
namespace {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

void putVarint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}
void putTag(std::string& out, uint32_t field, WireType wire) {
    putVarint(out, (uint64_t{field} << 3) | wire);
}
void putBytes(std::string& out, uint32_t field, std::string_view bytes) {
    putTag(out, field, kLengthDelimited);
    putVarint(out, bytes.size());
    out.append(bytes);
}
void putInt(std::string& out, uint32_t field, int64_t value) {
    putTag(out, field, kVarint);
    putVarint(out,
              static_cast<uint64_t>(value)); // negative int32 is sign-extended to 10 bytes, as protobuf does
}
void putBool(std::string& out, uint32_t field, bool value) {
    putInt(out, field, value ? 1 : 0);
}
void putFloat(std::string& out, uint32_t field, float value) {
    putTag(out, field, kFixed32);
    uint32_t bits;
    std::memcpy(&bits, &value, 4);
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

// A cursor over one message; every malformation throws with the source named.
class Reader {
public:
    Reader(std::string_view bytes, const std::string& source)
        : m_bytes(bytes)
        , m_source(source) {}
    bool done() const { return m_pos >= m_bytes.size(); }
    uint64_t varint() {
        uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_pos >= m_bytes.size()) fail("truncated varint");
            const auto b = static_cast<uint8_t>(m_bytes[m_pos++]);
            v |= uint64_t{b & 0x7fu} << shift;
            if (!(b & 0x80)) return v;
        }
        fail("varint longer than 10 bytes");
    }
    std::string_view bytes() {
        const uint64_t n = varint();
        if (n > m_bytes.size() - m_pos) fail("length-delimited field runs past the end");
        auto s = m_bytes.substr(m_pos, n);
        m_pos += n;
        return s;
    }
    float fixed32Float() {
        if (m_bytes.size() - m_pos < 4) fail("truncated fixed32");
        uint32_t bits = 0;
        for (int i = 0; i < 4; ++i)
            bits |= uint32_t{static_cast<uint8_t>(m_bytes[m_pos + i])} << (8 * i);
        m_pos += 4;
        float f;
        std::memcpy(&f, &bits, 4);
        return f;
    }
    void skip(uint32_t wire) {
        switch (wire) {
        case kVarint:
            varint();
            break;
        case kFixed64:
            if (m_bytes.size() - m_pos < 8) fail("truncated fixed64");
            m_pos += 8;
            break;
        case kLengthDelimited:
            bytes();
            break;
        case kFixed32:
            if (m_bytes.size() - m_pos < 4) fail("truncated fixed32");
            m_pos += 4;
            break;
        default:
            fail(fmt::format("unsupported wire type {}", wire));
        }
    }
    [[noreturn]] void fail(const std::string& what) const {
        throw ModelLoadError(fmt::format("{}: not a valid SentencePiece model ({} at byte {}); expected a "
                                         "tokenizer.model written by sentencepiece",
                                         m_source, what, m_pos));
    }

private:
    std::string_view m_bytes;
    std::string m_source;
    std::size_t m_pos = 0;
};

} // namespace

std::string serializeModelProto(const SentencePieceModelSpec& spec) {
    std::string out;
    out.reserve(spec.pieces.size() * 16 + 256);
    for (const auto& p : spec.pieces) {
        std::string piece;
        putBytes(piece, 1, p.piece);
        putFloat(piece, 2, p.score);
        putInt(piece, 3, static_cast<int>(p.type));
        putBytes(out, 1, piece);
    }
    std::string trainer;
    putInt(trainer, 3, spec.modelType);
    putInt(trainer, 4, static_cast<int64_t>(spec.pieces.size()));
    putBool(trainer, 35, spec.byteFallback);
    putInt(trainer, 40, spec.unkId);
    putInt(trainer, 41, spec.bosId);
    putInt(trainer, 42, spec.eosId);
    putInt(trainer, 43, spec.padId);
    putBytes(trainer, 45, spec.unkPiece);
    putBytes(trainer, 46, spec.bosPiece);
    putBytes(trainer, 47, spec.eosPiece);
    putBytes(trainer, 48, spec.padPiece);
    putBytes(out, 2, trainer);
    std::string normalizer;
    putBytes(normalizer, 1, spec.normalizerName);
    putBool(normalizer, 3, spec.addDummyPrefix);
    putBool(normalizer, 4, spec.removeExtraWhitespaces);
    putBool(normalizer, 5, spec.escapeWhitespaces);
    putBytes(out, 3, normalizer);
    return out;
}

SentencePieceModelSpec parseModelProto(std::string_view bytes, const std::string& source) {
    SentencePieceModelSpec spec;
    // Proto2 defaults of the fields we read (sentencepiece_model.proto).
    spec.modelType = 1;
    spec.byteFallback = false;
    spec.unkId = 0;
    spec.bosId = 1;
    spec.eosId = 2;
    spec.padId = -1;
    spec.unkPiece = "<unk>";
    spec.bosPiece = "<s>";
    spec.eosPiece = "</s>";
    spec.padPiece = "<pad>";
    spec.addDummyPrefix = true;
    spec.removeExtraWhitespaces = true;
    spec.escapeWhitespaces = true;
    spec.normalizerName.clear();
    Reader top(bytes, source);
    while (!top.done()) {
        const uint64_t tag = top.varint();
        const auto field = static_cast<uint32_t>(tag >> 3);
        const auto wire = static_cast<uint32_t>(tag & 7);
        if (field == 1 && wire == kLengthDelimited) {
            Reader r(top.bytes(), source);
            ProtoPiece p;
            while (!r.done()) {
                const uint64_t t = r.varint();
                const auto f = static_cast<uint32_t>(t >> 3), w = static_cast<uint32_t>(t & 7);
                if (f == 1 && w == kLengthDelimited)
                    p.piece = std::string(r.bytes());
                else if (f == 2 && w == kFixed32)
                    p.score = r.fixed32Float();
                else if (f == 3 && w == kVarint)
                    p.type = static_cast<PieceType>(static_cast<int>(r.varint()));
                else
                    r.skip(w);
            }
            spec.pieces.push_back(std::move(p));
        } else if (field == 2 && wire == kLengthDelimited) {
            Reader r(top.bytes(), source);
            while (!r.done()) {
                const uint64_t t = r.varint();
                const auto f = static_cast<uint32_t>(t >> 3), w = static_cast<uint32_t>(t & 7);
                auto asInt = [&] { return static_cast<int>(static_cast<int32_t>(r.varint())); };
                if (w == kVarint && f == 3)
                    spec.modelType = asInt();
                else if (w == kVarint && f == 35)
                    spec.byteFallback = r.varint() != 0;
                else if (w == kVarint && f == 40)
                    spec.unkId = asInt();
                else if (w == kVarint && f == 41)
                    spec.bosId = asInt();
                else if (w == kVarint && f == 42)
                    spec.eosId = asInt();
                else if (w == kVarint && f == 43)
                    spec.padId = asInt();
                else if (w == kLengthDelimited && f == 45)
                    spec.unkPiece = std::string(r.bytes());
                else if (w == kLengthDelimited && f == 46)
                    spec.bosPiece = std::string(r.bytes());
                else if (w == kLengthDelimited && f == 47)
                    spec.eosPiece = std::string(r.bytes());
                else if (w == kLengthDelimited && f == 48)
                    spec.padPiece = std::string(r.bytes());
                else
                    r.skip(w);
            }
        } else if (field == 3 && wire == kLengthDelimited) {
            Reader r(top.bytes(), source);
            while (!r.done()) {
                const uint64_t t = r.varint();
                const auto f = static_cast<uint32_t>(t >> 3), w = static_cast<uint32_t>(t & 7);
                if (f == 1 && w == kLengthDelimited)
                    spec.normalizerName = std::string(r.bytes());
                else if (f == 3 && w == kVarint)
                    spec.addDummyPrefix = r.varint() != 0;
                else if (f == 4 && w == kVarint)
                    spec.removeExtraWhitespaces = r.varint() != 0;
                else if (f == 5 && w == kVarint)
                    spec.escapeWhitespaces = r.varint() != 0;
                else
                    r.skip(w);
            }
        } else {
            top.skip(wire);
        }
    }
    if (spec.pieces.empty()) top.fail("no pieces");
    return spec;
}

} // namespace lumina::text
