// GenerationRequest: presets, JSON round trip (database, metadata), names, and validation of bad requests.
#include "core/pipeline/request.h"
#include "core/util/errors.h"
#include "core/util/utf8.h"

#include <QtTest>
#include <cmath>

using namespace lumina;
using namespace lumina::pipeline;

class TestRequest : public QObject {
    Q_OBJECT
private slots:
    void presets() {
        const auto lumina = presetSettings("lumina");
        QVERIFY(lumina.sampler == Sampler::Midpoint);
        QCOMPARE(lumina.steps, 30);
        QCOMPARE(lumina.timeShift, 4.0);
        QCOMPARE(lumina.watershed, 0.3);
        QVERIFY(!lumina.scaleBelowNative);
        QVERIFY(lumina.proportionalAttention);
        const auto diffusers = presetSettings("diffusers");
        QVERIFY(diffusers.sampler == Sampler::DiffusersEuler);
        QCOMPARE(diffusers.steps, 30);
        QCOMPARE(diffusers.guidanceScale, 4.0);
        QCOMPARE(diffusers.watershed, 1.0);
        QVERIFY(diffusers.scaleBelowNative);
        QVERIFY(diffusers.shiftFromSchedulerConfig);
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, presetSettings("sdxl"));
    }
    void jsonRoundTrip() {
        GenerationRequest r;
        r.prompt = "一只猫 🐈‍⬛ on a chair";
        r.negativePrompt = "blurry";
        r.preset = "diffusers";
        r.width = 2048;
        r.height = 1024;
        r.seed = 18446744073709551615ull;
        r.sampling.sampler = Sampler::RK4;
        r.sampling.schedule = Schedule::Sigmoid;
        r.sampling.ropeScaling = RoPEScaling::NTK;
        r.sampling.cfgChannels = CfgChannels::All;
        r.sampling.contextDrop = true;
        r.device = DeviceChoice::CUDA;
        r.precision = Precision::BF16;
        r.vaeTiling = VaeTiling::Always;
        r.vaeTileSize = 768;
        const auto back = requestFromJson(toJson(r));
        QCOMPARE(toJson(back).dump(), toJson(r).dump());
        QCOMPARE(back.prompt, r.prompt);
        QCOMPARE(back.seed.value(), r.seed.value());
        QVERIFY(back.sampling.sampler == Sampler::RK4);
        QVERIFY(back.vaeTiling == VaeTiling::Always);
        QCOMPARE(back.vaeTileSize, 768);
        // Settings stored before the VAE keys existed read back with the automatic defaults.
        auto old = toJson(r);
        old.erase("vae_tiling");
        old.erase("vae_tile");
        QVERIFY(requestFromJson(old).vaeTiling == VaeTiling::Auto);
        QCOMPARE(requestFromJson(old).vaeTileSize, 0);
        GenerationRequest randomSeed;
        QVERIFY(!requestFromJson(toJson(randomSeed)).seed.has_value());
    }
    void jsonErrorsNameTheKey() {
        try {
            requestFromJson({{"steps", "thirty"}});
            QFAIL("no error");
        } catch (const InvalidRequest& e) {
            QVERIFY(QString(e.what()).contains("steps"));
        }
        try {
            requestFromJson({{"sampler", "ddim"}});
            QFAIL("no error");
        } catch (const InvalidRequest& e) {
            QVERIFY(QString(e.what()).contains("diffusers-euler|euler|midpoint|rk4"));
        }
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, requestFromJson({{"seed", -1}}));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, requestFromJson(nlohmann::json::array()));
    }
    void names() {
        for (auto s : {Sampler::DiffusersEuler, Sampler::Euler, Sampler::Midpoint, Sampler::RK4})
            QVERIFY(parseSampler(toString(s)) == s);
        for (auto s : {RoPEScaling::None, RoPEScaling::Linear, RoPEScaling::NTK, RoPEScaling::TimeAware})
            QVERIFY(parseRoPEScaling(toString(s)) == s);
        QCOMPARE(toString(CfgChannels::Reference3), std::string("3"));
        QVERIFY(parsePrecision("bf16") == Precision::BF16);
        for (auto v : {VaeTiling::Auto, VaeTiling::Always, VaeTiling::Never})
            QVERIFY(parseVaeTiling(toString(v)) == v);
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, parseVaeTiling("sometimes"));
    }
    void validation_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<double>("value");
        QTest::newRow("width 1000") << "width" << 1000.0;
        QTest::newRow("width 0") << "width" << 0.0;
        QTest::newRow("height 8192") << "height" << 8192.0;
        QTest::newRow("steps 0") << "steps" << 0.0;
        QTest::newRow("guidance nan") << "guidance" << std::nan("");
        QTest::newRow("guidance inf") << "guidance" << double(INFINITY);
        QTest::newRow("shift 0") << "shift" << 0.0;
        QTest::newRow("watershed 1.5") << "watershed" << 1.5;
        QTest::newRow("vae tile 100") << "vaeTile" << 100.0;
        QTest::newRow("vae tile 192") << "vaeTile" << 192.0;
        QTest::newRow("vae tile 8256") << "vaeTile" << 8256.0;
    }
    void validation() {
        QFETCH(QString, field);
        QFETCH(double, value);
        GenerationRequest r;
        validateRequest(r); // the defaults are valid
        if (field == "width") r.width = static_cast<int>(value);
        if (field == "height") r.height = static_cast<int>(value);
        if (field == "steps") r.sampling.steps = static_cast<int>(value);
        if (field == "guidance") r.sampling.guidanceScale = value;
        if (field == "shift") r.sampling.timeShift = value;
        if (field == "watershed") r.sampling.watershed = value;
        if (field == "vaeTile") r.vaeTileSize = static_cast<int>(value);
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, validateRequest(r));
    }
    void invalidUtf8PromptIsRefused() {
        GenerationRequest r;
        r.prompt = std::string("cat \xC3\x28 dog");
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, validateRequest(r));
        QVERIFY(isValidUtf8("猫 ねこ 고양이 кот 🐈"));
        QVERIFY(!isValidUtf8("\xED\xA0\x80"));     // surrogate
        QVERIFY(!isValidUtf8("\xC0\xAF"));         // overlong
        QVERIFY(!isValidUtf8("\xF4\x90\x80\x80")); // above U+10FFFF
        QVERIFY(!isValidUtf8("\xE2\x82"));         // truncated
    }
};

QTEST_GUILESS_MAIN(TestRequest)
#include "test_request.moc"
