// GemmaTokenizer against transformers' GemmaTokenizer on the same folders (tokenizer.model layout and
// tokenizer.json layout converted by transformers), on a multilingual corpus: ids, pieces, truncation,
// padded batches with masks, negative prompts padded to the positive length, the official demo's right-padded
// [prompt, negative] batches; plus bad inputs and the model cache. Every expected id comes from the reference
// at test time (tests/python/make_tokenizer_fixtures.py).
//
// Mutations tried (each made this suite fail): merges scored by vocabulary id instead of merge rank
// (mergeRanksDecideTheOrder); encodeToLength ignoring the padding side it is given (officialBatchesPadRight,
// the left-padded layouts).
#include "core/text/gemma_tokenizer.h"
#include "core/util/errors.h"
#include "text_fixtures.h"

#include <QTemporaryDir>
#include <QtTest>
#include <torch/torch.h>

using namespace lumina::text;
namespace fs = std::filesystem;

namespace {

std::vector<int64_t> row(const at::Tensor& t, int64_t r) {
    auto c = t[r].contiguous();
    return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

std::vector<int64_t> asInt64(const nlohmann::json& j) {
    return j.get<std::vector<int64_t>>();
}

void writeFile(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
}

std::set<std::string> listing(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir))
        names.insert(e.path().filename().string());
    return names;
}

} // namespace

class TestGemmaTokenizer : public QObject {
    Q_OBJECT
    nlohmann::json m_expected;
    QTemporaryDir m_dataDir;

private slots:
    void initTestCase() {
        at::set_num_threads(1);
        QVERIFY(m_dataDir.isValid());
        qputenv("LUMINA_DATA_DIR", m_dataDir.path().toUtf8()); // the tokenizer cache goes here
        m_expected = lumina::test::readExpected();
        QVERIFY2(m_expected.contains("layouts"),
                 "expected.json missing: run the fixture_tokenizer test first");
        QVERIFY(m_expected["prompts"].size() >= 200);
    }

    void parity_data() {
        QTest::addColumn<QString>("layout");
        QTest::newRow("tokenizer.model") << "model";
        QTest::newRow("tokenizer.json") << "json";
        QTest::newRow("tokenizer.json, padding right") << "json_right";
    }

    void parity() {
        QFETCH(QString, layout);
        const auto& ref = m_expected["layouts"][layout.toStdString()];
        const auto folder = lumina::test::tokenizerFixtures() / layout.toStdString();
        const auto before = listing(folder);
        const auto tok = GemmaTokenizer::load(folder);
        QCOMPARE(listing(folder), before); // nothing written into the model folder
        QCOMPARE(tok.paddingSide() == PaddingSide::Left ? std::string("left") : std::string("right"),
                 ref["padding_side"].get<std::string>());
        QCOMPARE(tok.bosId(), ref["bos_id"].get<int>());
        QCOMPARE(tok.padId(), ref["pad_id"].get<int>());

        const auto& prompts = m_expected["prompts"];
        int mismatches = 0, truncatedSeen = 0;
        for (std::size_t i = 0; i < prompts.size(); ++i) {
            const auto prompt = prompts[i].get<std::string>();
            const auto& want = ref["single"][i];
            const auto got = tok.tokenize(prompt);
            const auto wantIds = want["ids"].get<std::vector<int>>();
            const bool wantTruncated = want["untruncated_count"].get<int>() > 256;
            if (got.ids != wantIds || got.pieces != want["pieces"].get<std::vector<std::string>>() ||
                got.truncated != wantTruncated) {
                if (mismatches++ < 5)
                    qWarning("prompt %zu differs: %d ids vs %d expected (first bytes: %s)", i,
                             int(got.ids.size()), int(wantIds.size()), prompt.substr(0, 40).c_str());
            }
            if (got.truncated) {
                ++truncatedSeen;
                QCOMPARE(got.keptText + got.droppedText, prompt);
                QVERIFY(!got.droppedText.empty());
                QCOMPARE(int(got.ids.size()), 256);
            } else {
                QCOMPARE(got.keptText, prompt);
                QVERIFY(got.droppedText.empty());
            }
        }
        QCOMPARE(mismatches, 0);
        QVERIFY(truncatedSeen >= 2);

        for (const auto& batch : ref["batches"]) {
            std::vector<std::string> texts;
            for (const auto& r : batch["rows"])
                texts.push_back(prompts[r.get<std::size_t>()].get<std::string>());
            const auto enc = tok.encodePrompts(texts);
            QCOMPARE(enc.ids.scalar_type(), torch::kInt64);
            QCOMPARE(enc.ids.size(0), int64_t(texts.size()));
            QCOMPARE(enc.ids.size(1) % 8, int64_t(0));
            for (int64_t r = 0; r < enc.ids.size(0); ++r) {
                QCOMPARE(row(enc.ids, r), asInt64(batch["ids"][r]));
                QCOMPARE(row(enc.mask, r), asInt64(batch["mask"][r]));
            }
            const auto negs = batch["negatives"].get<std::vector<std::string>>();
            const auto neg = tok.encodeToLength(negs, enc.ids.size(1));
            QCOMPARE(neg.ids.sizes(), enc.ids.sizes());
            for (int64_t r = 0; r < neg.ids.size(0); ++r) {
                QCOMPARE(row(neg.ids, r), asInt64(batch["neg_ids"][r]));
                QCOMPARE(row(neg.mask, r), asInt64(batch["neg_mask"][r]));
            }
        }

        const auto empty = tok.encodePrompts({""});
        QCOMPARE(row(empty.ids, 0), asInt64(ref["empty"]["ids"]));
        QCOMPARE(row(empty.mask, 0), asInt64(ref["empty"]["mask"]));
    }

    // Lumina-T2X demo.py encode_prompt: [prompt, negative] tokenized as one batch padded on the right to the
    // longer, which the lumina preset reproduces with batchLength + encodeToLength(..., Right).
    void officialBatchesPadRight_data() { parity_data(); }
    void officialBatchesPadRight() {
        QFETCH(QString, layout);
        const auto& ref = m_expected["layouts"][layout.toStdString()];
        const auto tok = GemmaTokenizer::load(lumina::test::tokenizerFixtures() / layout.toStdString());
        const auto& prompts = m_expected["prompts"];
        QVERIFY(ref["official_batches"].size() >= 4);
        for (const auto& batch : ref["official_batches"]) {
            std::vector<std::string> texts;
            for (const auto& r : batch["rows"])
                texts.push_back(prompts[r.get<std::size_t>()].get<std::string>());
            const auto length = tok.batchLength(texts);
            const auto enc = tok.encodeToLength(texts, length, PaddingSide::Right);
            for (int64_t r = 0; r < enc.ids.size(0); ++r) {
                QCOMPARE(row(enc.ids, r), asInt64(batch["ids"][r]));
                QCOMPARE(row(enc.mask, r), asInt64(batch["mask"][r]));
            }
        }
    }

    void mergeRanksDecideTheOrder() {
        // A hand-made tokenizer.json whose merge ranks are not in vocabulary-id order: "b c" (rank 0) wins
        // over "a b" (rank 1, lower id), so "abc" is [a, bc]. Expected ids and pieces: HF tokenizers on the
        // same file.
        const auto& ref = m_expected["merge_ranks"];
        const auto tok = GemmaTokenizer::load(lumina::test::tokenizerFixtures() / "merge_ranks");
        QVERIFY(ref["encodings"].size() >= 4);
        for (const auto& e : ref["encodings"]) {
            const auto got = tok.tokenize(e["text"].get<std::string>());
            QCOMPARE(got.ids, e["ids"].get<std::vector<int>>());
            QCOMPARE(got.pieces, e["pieces"].get<std::vector<std::string>>());
        }
        // The class default without tokenizer_config.json.
        QCOMPARE(tok.paddingSide() == PaddingSide::Left ? std::string("left") : std::string("right"),
                 ref["padding_side"].get<std::string>());
    }

    void inconsistentMergesAreDetected() {
        BpeVocabulary v;
        v.pieces = {"<unk>", "a", "b", "c", "ab", "bc", "abc"};
        v.unkId = 0;
        v.byteFallback = false;
        BpeConsistency ok;
        v.merges = {{"b", "c"}, {"a", "b"}, {"a", "bc"}, {"ab", "c"}};
        toSentencePieceSpec(v, "test", &ok);
        QCOMPARE(ok.unlistedPairs, std::size_t(0));
        QCOMPARE(ok.interleavedMerges, std::size_t(0));
        // HF would stop at [ab, c] ("ab c" is not a merge); sentencepiece would go on to "abc": reported.
        BpeConsistency bad;
        v.merges = {{"a", "b"}, {"b", "c"}, {"a", "bc"}};
        toSentencePieceSpec(v, "test", &bad);
        QCOMPARE(bad.unlistedPairs, std::size_t(1));
        v.merges = {{"a", "b"}, {"a", "bc"}, {"b", "c"}, {"ab", "c"}};
        toSentencePieceSpec(v, "test", &bad);
        QCOMPARE(bad.interleavedMerges, std::size_t(1));
    }

    void cacheFileIsWrittenOutsideTheModelFolder() {
        GemmaTokenizer::load(lumina::test::tokenizerFixtures() / "json");
        const fs::path cache = fs::path(m_dataDir.path().toStdString()) / "cache" / "tokenizers";
        QVERIFY(fs::is_directory(cache));
        int models = 0;
        for (const auto& e : fs::directory_iterator(cache))
            models += e.path().extension() == ".model";
        QVERIFY(models >= 1);
    }

    void invalidUtf8IsAnInvalidRequest() {
        const auto tok = GemmaTokenizer::load(lumina::test::tokenizerFixtures() / "model");
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, tok.tokenize(std::string("cat \xFF\xFE dog", 10)));
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, tok.encodePrompts({std::string("\xE4\xB8", 2)}));
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, tok.encodePrompts({}));
    }

    void badFolders() {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        auto expectError = [](const fs::path& folder, const std::string& needle) {
            try {
                GemmaTokenizer::load(folder);
                QFAIL("no error");
            } catch (const lumina::ModelLoadError& e) {
                const std::string what = e.what();
                if (what.find(needle) == std::string::npos) qWarning("message: %s", e.what());
                QVERIFY(what.find(needle) != std::string::npos);
            }
        };
        fs::create_directories(root / "empty");
        expectError(root / "empty", "neither tokenizer.model nor tokenizer.json");
        expectError(root / "missing", "not found");

        // A valid tokenizer.json edited in one field at a time.
        std::ifstream in(lumina::test::tokenizerFixtures() / "json" / "tokenizer.json");
        const auto good = nlohmann::json::parse(in);
        auto variant = [&](const std::string& name, const std::function<void(nlohmann::json&)>& edit) {
            auto j = good;
            edit(j);
            fs::create_directories(root / name);
            writeFile(root / name / "tokenizer.json", j.dump());
            return root / name;
        };
        expectError(variant("unigram", [](auto& j) { j["model"]["type"] = "Unigram"; }), "model.type");
        expectError(variant("nomodel", [](auto& j) { j.erase("model"); }), "'model'");
        expectError(variant("merges", [](auto& j) { j["model"]["merges"][3] = 42; }), "model.merges[3]");
        expectError(variant("mergepiece", [](auto& j) { j["model"]["merges"][0] = "zzzq \xE2\x96\x81qqq"; }),
                    "model.merges[0]");
        expectError(variant("vocab", [](auto& j) { j["model"]["vocab"] = 5; }), "model.vocab");
        expectError(variant("normalizer",
                            [](auto& j) {
                                j["normalizer"] = {{"type", "NFKC"}};
                            }),
                    "normalizer");
        expectError(variant("bytes", [](auto& j) { j["model"]["vocab"].erase("<0x41>"); }), "<0x41>");
        fs::create_directories(root / "garbage");
        writeFile(root / "garbage" / "tokenizer.json", "{ not json");
        expectError(root / "garbage", "tokenizer.json");
        fs::create_directories(root / "badmodel");
        writeFile(root / "badmodel" / "tokenizer.model", "this is not a protobuf");
        expectError(root / "badmodel", "tokenizer.model");
    }
};

QTEST_GUILESS_MAIN(TestGemmaTokenizer)
#include "test_gemma_tokenizer.moc"
