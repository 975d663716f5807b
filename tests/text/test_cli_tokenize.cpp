// `lumina-cli tokenize` on the tokenizer fixture: the JSON object matches GemmaTokenizer, the diffusers
// preprocessing flag lowercases, bad folders exit 3 and bad arguments exit 2.
#include "core/text/gemma_tokenizer.h"
#include "text_fixtures.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace lumina::text;

class TestCliTokenize : public QObject {
    Q_OBJECT
    QTemporaryDir m_dataDir;
private slots:
    void initTestCase() { qputenv("LUMINA_DATA_DIR", m_dataDir.path().toUtf8()); }

    void cliTokenizeJson() {
        const QString cli = qEnvironmentVariable("LUMINA_CLI");
        if (cli.isEmpty()) QSKIP("LUMINA_CLI not set");
        const auto folder = lumina::test::tokenizerFixtures() / "json";
        const auto expected = lumina::test::readExpected();
        QVERIFY2(expected.contains("layouts"), "run the fixture_tokenizer test first");
        // A multilingual prompt of the corpus; its ids as transformers' GemmaTokenizer gives them.
        const std::size_t index = 30;
        const auto prompt = expected["prompts"][index].get<std::string>();
        const auto& reference = expected["layouts"]["json"]["single"][index];
        QProcess p;
        p.start(cli, {"tokenize", "--model", QString::fromStdString(folder.string()), "--prompt",
                      QString::fromStdString(prompt), "--json"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const auto out = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
        const auto tok = GemmaTokenizer::load(folder);
        QCOMPARE(out["ids"].get<std::vector<int>>(), reference["ids"].get<std::vector<int>>());
        QCOMPARE(out["pieces"].get<std::vector<std::string>>(),
                 reference["pieces"].get<std::vector<std::string>>());
        QCOMPARE(out["count"].get<int>(), int(reference["ids"].size()));
        QCOMPARE(out["truncated"].get<bool>(), false);
        QCOMPARE(out.size(), std::size_t(4));

        QProcess lower;
        lower.start(cli, {"tokenize", "--model", QString::fromStdString(folder.string()), "--prompt",
                          "  A CAT  ", "--json", "--diffusers-preprocess"});
        QVERIFY(lower.waitForFinished(60000));
        QCOMPARE(lower.exitCode(), 0);
        const auto lj = nlohmann::json::parse(lower.readAllStandardOutput().toStdString());
        QCOMPARE(lj["ids"].get<std::vector<int>>(), tok.tokenize("a cat").ids);

        QProcess bad;
        bad.start(cli, {"tokenize", "--model", QString::fromStdString((folder / "nope").string()), "--prompt",
                        "x"});
        QVERIFY(bad.waitForFinished(60000));
        QCOMPARE(bad.exitCode(), 3);
        QProcess usage;
        usage.start(cli, {"tokenize", "--prompt", "x"});
        QVERIFY(usage.waitForFinished(60000));
        QCOMPARE(usage.exitCode(), 2);
    }
};

QTEST_GUILESS_MAIN(TestCliTokenize)
#include "test_cli_tokenize.moc"
