// diffusersPreprocess against CPython's str.lower().strip() on every code point below U+20000 and on
// Final_Sigma contexts (expected values written by tests/python/make_tokenizer_fixtures.py).
#include "core/text/diffusers_preprocess.h"
#include "text_fixtures.h"

#include <QtTest>

class TestTextPreprocess : public QObject {
    Q_OBJECT
private slots:
    void matchesPython() {
        const auto expected = lumina::test::readExpected();
        QVERIFY2(expected.contains("lower"), "run the fixture_tokenizer test first");
        int checked = 0, failed = 0;
        for (const auto& c : expected["lower"]) {
            const auto input = c["input"].get<std::string>();
            const auto want = c["expected"].get<std::string>();
            const auto got = lumina::text::diffusersPreprocess(input);
            if (got != want && failed++ < 5) qWarning("mismatch on input of %zu bytes", input.size());
            ++checked;
        }
        QVERIFY(checked > 1000);
        QCOMPARE(failed, 0);
    }
};

QTEST_GUILESS_MAIN(TestTextPreprocess)
#include "test_text_preprocess.moc"
