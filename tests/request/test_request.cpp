// GenerationRequest: presets, JSON round trip (database, metadata), names, and validation of bad requests.
#include "core/pipeline/request.h"
#include "core/util/errors.h"
#include "core/util/utf8.h"

#include <QtTest>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

using namespace lumina;
using namespace lumina::pipeline;

namespace {

template <typename E>
void checkNames(const std::vector<std::pair<E, std::string>>& expected,
                E (*parse)(std::string_view, std::string_view)) {
    for (const auto& [value, name] : expected) {
        QCOMPARE(toString(value), name);
        QVERIFY(parse(name, "field") == value);
    }
}

} // namespace

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
        r.sampling.cfgChannels = CFGChannels::All;
        r.sampling.contextDrop = true;
        r.vaeTiling = VAETiling::Always;
        r.vaeTileSize = 768;
        const auto back = requestFromJson(toJson(r));
        QCOMPARE(toJson(back).dump(), toJson(r).dump());
        QCOMPARE(back.prompt, r.prompt);
        QCOMPARE(back.seed.value(), r.seed.value());
        QVERIFY(back.sampling.sampler == Sampler::RK4);
        QVERIFY(back.vaeTiling == VAETiling::Always);
        QCOMPARE(back.vaeTileSize, 768);
        // Settings stored before the VAE keys existed read back with the automatic defaults.
        auto old = toJson(r);
        old.erase("vae_tiling");
        old.erase("vae_tile");
        QVERIFY(requestFromJson(old).vaeTiling == VAETiling::Auto);
        QCOMPARE(requestFromJson(old).vaeTileSize, 0);
        // Settings from before device and precision left the request (they were never used by a generation)
        // still read, and the keys are not written again.
        auto withLoadKeys = toJson(r);
        withLoadKeys["device"] = "cuda";
        withLoadKeys["dtype"] = "bf16";
        QCOMPARE(toJson(requestFromJson(withLoadKeys)).dump(), toJson(r).dump());
        QVERIFY(!toJson(r).contains("device"));
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
    // The names are a contract: job queues, galleries and image metadata written by earlier versions store
    // them, and the CLI documents them. Each value prints as its name and parses back.
    void namesAreTheContract() {
        checkNames<Sampler>({{Sampler::DiffusersEuler, "diffusers-euler"},
                             {Sampler::Euler, "euler"},
                             {Sampler::Midpoint, "midpoint"},
                             {Sampler::RK4, "rk4"}},
                            parseSampler);
        checkNames<Schedule>({{Schedule::Uniform, "uniform"}, {Schedule::Sigmoid, "sigmoid"}}, parseSchedule);
        checkNames<RoPEScaling>({{RoPEScaling::None, "none"},
                                 {RoPEScaling::Linear, "linear"},
                                 {RoPEScaling::NTK, "ntk"},
                                 {RoPEScaling::TimeAware, "time-aware"}},
                                parseRoPEScaling);
        checkNames<CFGChannels>({{CFGChannels::Reference3, "3"}, {CFGChannels::All, "all"}},
                                parseCFGChannels);
        checkNames<DeviceChoice>({{DeviceChoice::Auto, "auto"},
                                  {DeviceChoice::CPU, "cpu"},
                                  {DeviceChoice::CUDA, "cuda"},
                                  {DeviceChoice::MPS, "mps"}},
                                 parseDeviceChoice);
        checkNames<Precision>({{Precision::Auto, "auto"},
                               {Precision::FP32, "fp32"},
                               {Precision::BF16, "bf16"},
                               {Precision::FP16, "fp16"}},
                              parsePrecision);
        checkNames<VAETiling>(
            {{VAETiling::Auto, "auto"}, {VAETiling::Always, "always"}, {VAETiling::Never, "never"}},
            parseVAETiling);
        QCOMPARE(stagesPerStep(Sampler::DiffusersEuler), 1);
        QCOMPARE(stagesPerStep(Sampler::Euler), 1);
        QCOMPARE(stagesPerStep(Sampler::Midpoint), 2);
        QCOMPARE(stagesPerStep(Sampler::RK4), 4);
    }
    void unknownNamesAreRefusedWithTheChoices() {
        try {
            parseVAETiling("sometimes", "--vae-tiling");
            QFAIL("no error");
        } catch (const InvalidRequest& e) {
            QCOMPARE(QString(e.what()),
                     QString("--vae-tiling must be one of auto|always|never, not 'sometimes'"));
        }
        // Names are exact: no case folding, no abbreviations.
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, parseSampler("RK4"));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, parseRoPEScaling("time_aware"));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, parseCFGChannels(""));
        try {
            requestFromJson({{"rope_scaling", "yarn"}});
            QFAIL("no error");
        } catch (const InvalidRequest& e) {
            QVERIFY2(QString(e.what()).startsWith("rope_scaling must be one of none|linear|ntk|time-aware"),
                     e.what());
        }
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
