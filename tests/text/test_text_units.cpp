// Units without fixtures: UTF-8 validation, the protobuf writer/reader round trip, hand-made final-sigma and
// strip cases, the prompt encoding cache.
#include "core/text/diffusers_preprocess.h"
#include "core/text/prompt_encoding_cache.h"
#include "core/text/sentencepiece_proto.h"
#include "core/util/errors.h"
#include "core/util/utf8.h"

#include <QtTest>
#include <torch/torch.h>

using namespace lumina;
using namespace lumina::text;

class TestTextUnits : public QObject {
    Q_OBJECT
private slots:
    void utf8Validation() {
        QVERIFY(!findInvalidUtf8("plain ascii"));
        QVERIFY(!findInvalidUtf8("猫 🐱 é"));
        QCOMPARE(*findInvalidUtf8(std::string("ab\xFF", 3)), std::size_t(2));
        QCOMPARE(*findInvalidUtf8(std::string("\xC0\xAF", 2)), std::size_t(0));         // overlong
        QCOMPARE(*findInvalidUtf8(std::string("x\xED\xA0\x80", 4)), std::size_t(1));    // surrogate
        QCOMPARE(*findInvalidUtf8(std::string("\xF4\x90\x80\x80", 4)), std::size_t(0)); // > U+10FFFF
        QCOMPARE(*findInvalidUtf8(std::string("\xE7\x8C", 2)), std::size_t(0));         // truncated
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, requireValidUtf8("bad \xFE", "the prompt"));
    }

    void pythonLowerSpecialCases() {
        QCOMPARE(pythonLower("ΟΔΥΣΣΕΥΣ"), std::string("οδυσσευς"));
        QCOMPARE(pythonLower("Σ"), std::string("σ"));
        QCOMPARE(pythonLower("AΣ."), std::string("aς."));
        QCOMPARE(pythonLower("ΣA"), std::string("σa"));
        QCOMPARE(pythonLower("İ"), std::string("i\xCC\x87")); // U+0130 -> i + U+0307
        QCOMPARE(pythonLower("ẞ"), std::string("ß"));
        QCOMPARE(pythonLower("ABC Straße"), std::string("abc straße"));
        QCOMPARE(pythonStrip("\x1c\x1d text \x1e\x1f"), std::string("text"));
        QCOMPARE(pythonStrip("\u3000\u00a0x\u2028"), std::string("x"));
        QCOMPARE(pythonStrip("\u200bx\u200b"), std::string("\u200bx\u200b")); // ZWSP is not whitespace
        QCOMPARE(diffusersPreprocess("  A Cat  "), std::string("a cat"));
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, diffusersPreprocess(std::string("\xC3", 1)));
    }

    void modelProtoRoundTrip() {
        SentencePieceModelSpec spec;
        spec.pieces = {{"<pad>", 0, PieceType::Control},
                       {"<eos>", 0, PieceType::Control},
                       {"<bos>", 0, PieceType::Control},
                       {"<unk>", 0, PieceType::Unknown},
                       {"\xE2\x96\x81the", -1.5f, PieceType::Normal},
                       {"<0x0A>", 0, PieceType::Byte}};
        spec.bosId = -1;
        const auto bytes = serializeModelProto(spec);
        const auto back = parseModelProto(bytes, "test");
        QCOMPARE(back.pieces.size(), spec.pieces.size());
        for (std::size_t i = 0; i < spec.pieces.size(); ++i) {
            QCOMPARE(back.pieces[i].piece, spec.pieces[i].piece);
            QCOMPARE(back.pieces[i].score, spec.pieces[i].score);
            QCOMPARE(int(back.pieces[i].type), int(spec.pieces[i].type));
        }
        QCOMPARE(back.bosId, -1);
        QCOMPARE(back.modelType, 2);
        QVERIFY(back.byteFallback);
        QCOMPARE(back.normalizerName, std::string("identity"));
        QVERIFY(!back.addDummyPrefix);
        QVERIFY_THROWS_EXCEPTION(lumina::ModelLoadError,
                                 parseModelProto(bytes.substr(0, bytes.size() / 2), "cut"));
        QVERIFY_THROWS_EXCEPTION(lumina::ModelLoadError, parseModelProto("not a protobuf at all", "text"));
    }

    void promptEncodingCache() {
        PromptEncodingCache cache(2);
        auto key = [](std::string text, int64_t len) {
            PromptEncodingKey k;
            k.text = std::move(text);
            k.length = len;
            return k;
        };
        QVERIFY(!cache.find(key("a", 8)));
        cache.insert(key("a", 8), {torch::ones({1, 8, 4}), torch::ones({1, 8}, torch::kLong)});
        cache.insert(key("a", 16), {torch::zeros({1, 16, 4}), torch::ones({1, 16}, torch::kLong)});
        QVERIFY(cache.find(key("a", 8)).has_value()); // a/8 becomes most recent
        QCOMPARE(cache.find(key("a", 16))->embeddings.size(1), int64_t(16));
        cache.insert(key("b", 8), {torch::ones({1, 8, 4}), torch::ones({1, 8}, torch::kLong)}); // evicts a/8
        QVERIFY(!cache.find(key("a", 8)));
        QVERIFY(cache.find(key("b", 8)).has_value());
        auto other = key("b", 8);
        other.dtype = c10::ScalarType::BFloat16;
        QVERIFY(!cache.find(other));
        other = key("b", 8);
        other.padding = PaddingSide::Right;
        QVERIFY(!cache.find(other));
        QCOMPARE(cache.size(), std::size_t(2));
        cache.clear();
        QCOMPARE(cache.size(), std::size_t(0));
    }
};

QTEST_GUILESS_MAIN(TestTextUnits)
#include "test_text_units.moc"
