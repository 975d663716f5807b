// Case folding used by gallery search.
#include "core/gallery/text_fold.h"

#include <QtTest/QtTest>

using lumina::gallery::foldCase;

class TestTextFold : public QObject {
    Q_OBJECT
private slots:
    void foldsEachScript_data() {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::newRow("ascii") << "A Red FOX 42"
                               << "a red fox 42";
        QTest::newRow("latin1") << QString::fromUtf8("ÉCOLE ÀÖØÞ ×") << QString::fromUtf8("école àöøþ ×");
        QTest::newRow("latin-ext-a") << QString::fromUtf8("ŁÓDŹ ŻÓŁW ŒUVRE Ÿ")
                                     << QString::fromUtf8("łódź żółw œuvre ÿ");
        QTest::newRow("vietnamese") << QString::fromUtf8("PHỞ BẮC") << QString::fromUtf8("phở bắc");
        QTest::newRow("greek") << QString::fromUtf8("ΟΔΥΣΣΕΎΣ ΆΓΑΛΜΑ")
                               << QString::fromUtf8("οδυσσεύσ άγαλμα");
        QTest::newRow("final-sigma") << QString::fromUtf8("λόγος") << QString::fromUtf8("λόγοσ");
        QTest::newRow("cyrillic") << QString::fromUtf8("КОШКА ЁЖ ЇЖАК Ґ")
                                  << QString::fromUtf8("кошка ёж їжак ґ");
        QTest::newRow("cjk-emoji") << QString::fromUtf8("一只猫 🐱 ねこ")
                                   << QString::fromUtf8("一只猫 🐱 ねこ");
        QTest::newRow("fullwidth") << QString::fromUtf8("ＡＢＣ") << QString::fromUtf8("ａｂｃ");
    }
    void foldsEachScript() {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(foldCase(input.toStdString())), expected);
    }

    void agreesWithQtOnLatinGreekCyrillic() {
        // Qt's toLower as the independent reference over whole blocks (except U+0130, which Python lowers to
        // two code points, and final sigma, which search folds to sigma).
        const std::pair<char32_t, char32_t> ranges[] = {{0x41, 0x5A},   {0xC0, 0xDE},   {0x100, 0x17F},
                                                        {0x386, 0x3AB}, {0x400, 0x42F}, {0x460, 0x4FF}};
        for (auto [from, to] : ranges) {
            for (char32_t c = from; c <= to; ++c) {
                if (c == 0x130 || c == 0x149 || c == 0x17F || (c >= 0x482 && c <= 0x489)) continue;
                const QString s = QString::fromUcs4(&c, 1);
                if (s.toLower().size() != 1) continue;
                const char32_t expected = s.toLower().toUcs4().at(0);
                QCOMPARE(QString::fromStdString(foldCase(s.toStdString())).toUcs4().at(0), uint(expected));
            }
        }
    }

    void otherScriptsFoldToo() {
        QCOMPARE(foldCase("ԱՐԵՎ ᎠᎡ"),
                 std::string("արեվ ꭰꭱ")); // Armenian, Cherokee (as Python lowers them)
    }

    void keepsInvalidBytes() {
        const std::string bad = "A\xff\xc3";
        QCOMPARE(foldCase(bad), std::string("a\xff\xc3"));
    }
};

QTEST_GUILESS_MAIN(TestTextFold)
#include "test_text_fold.moc"
