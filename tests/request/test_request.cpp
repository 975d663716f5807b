// GenerationRequest: presets, JSON round trip (database, metadata), names, and validation of bad requests.
#include "core/pipeline/refine.h"
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
    // Image-to-image keys appear only with an init image and round-trip; text-to-image JSON is unchanged.
    void imageToImageJson() {
        GenerationRequest r;
        QVERIFY(!toJson(r).contains("init_image"));
        QVERIFY(!toJson(r).contains("strength"));
        r.initImage.path = "/pictures/猫.png";
        r.initImage.strength = 0.35;
        r.initImage.resize = InitResize::Crop;
        r.initImage.galleryItem = 42;
        const auto back = requestFromJson(toJson(r));
        QCOMPARE(back.initImage.path, r.initImage.path);
        QCOMPARE(back.initImage.strength, 0.35);
        QVERIFY(back.initImage.resize == InitResize::Crop);
        QCOMPARE(back.initImage.galleryItem, std::optional<int64_t>(42));
        QCOMPARE(toJson(back).dump(), toJson(r).dump());
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, requestFromJson({{"init_resize", "stretch"}}));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, requestFromJson({{"strength", "half"}}));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, requestFromJson({{"init_gallery_item", "seven"}}));
    }

    // How many steps a strength keeps, by each preset's reference rule (docs/img2img.md), including the
    // places where the two rules differ and where the double arithmetic rounds down.
    void keptStepsFollowEachReference_data() {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<int>("steps");
        QTest::addColumn<double>("strength");
        QTest::addColumn<int>("kept");
        // diffusers: N - int(N - min(N*s, N))
        QTest::newRow("diffusers 30 x 0.6") << "diffusers" << 30 << 0.6 << 18;
        QTest::newRow("diffusers 10 x 0.3") << "diffusers" << 10 << 0.3 << 3;
        QTest::newRow("diffusers 4 x 0.6") << "diffusers" << 4 << 0.6 << 3;
        QTest::newRow("diffusers 4 x 0.2") << "diffusers" << 4 << 0.2 << 1;
        QTest::newRow("diffusers 7 x 1") << "diffusers" << 7 << 1.0 << 7;
        QTest::newRow("diffusers 10 x 0.05") << "diffusers" << 10 << 0.05 << 1; // never below one step
        // lumina: N - int((N + 1) * (1 - s))
        QTest::newRow("lumina 30 x 0.6") << "lumina" << 30 << 0.6 << 18;
        QTest::newRow("lumina 4 x 0.6") << "lumina" << 4 << 0.6 << 2;
        QTest::newRow("lumina 4 x 0.2") << "lumina" << 4 << 0.2 << 0;
        QTest::newRow("lumina 7 x 1") << "lumina" << 7 << 1.0 << 7;
    }
    void keptStepsFollowEachReference() {
        QFETCH(QString, preset);
        QFETCH(int, steps);
        QFETCH(double, strength);
        QFETCH(int, kept);
        GenerationRequest r;
        r.preset = preset.toStdString();
        r.sampling.steps = steps;
        QCOMPARE(keptSteps(r), steps); // text-to-image keeps all
        r.initImage.path = "x.png";
        r.initImage.strength = strength;
        QCOMPARE(keptSteps(r), kept);
        QCOMPARE(firstKeptStep(r), steps - kept);
        if (kept == 0) {
            QVERIFY_THROWS_EXCEPTION(InvalidRequest, validateRequest(r));
        } else {
            validateRequest(r);
        }
    }

    void strengthOutsideItsRangeIsRefused() {
        GenerationRequest r;
        r.initImage.path = "x.png";
        for (double bad : std::vector<double>{0.0, -0.5, 1.0000001, 2.0, std::nan(""), INFINITY}) {
            r.initImage.strength = bad;
            try {
                validateRequest(r);
                QFAIL(qPrintable(QString("strength %1 accepted").arg(bad)));
            } catch (const InvalidRequest& e) {
                QVERIFY2(QString(e.what()).contains("strength"), e.what());
            }
        }
    }

    void refineScalesTheSizeAndLinksTheSource() {
        RefineSource source;
        source.request.prompt = "a lighthouse";
        source.request.seed = 99;
        source.request.width = 1024;
        source.request.height = 768;
        source.width = 1024;
        source.height = 768;
        source.imagePath = "/gallery/7.png";
        source.galleryItem = 7;
        const auto r = refineRequest(source, 2);
        QCOMPARE(r.width, 2048);
        QCOMPARE(r.height, 1536);
        QCOMPARE(r.prompt, std::string("a lighthouse"));
        QCOMPARE(r.seed, std::optional<uint64_t>(99));
        QCOMPARE(r.initImage.path, std::string("/gallery/7.png"));
        QCOMPARE(r.initImage.strength, kRefineStrength);
        QCOMPARE(r.initImage.galleryItem, std::optional<int64_t>(7));
        QVERIFY(r.sampling.ropeScaling == source.request.sampling.ropeScaling);
        source.width = 1008; // x3 = 3024, already a multiple of 16
        source.height = 592; // x3 = 1776 = 111 * 16
        const auto three = refineRequest(source, 3, 0.25);
        QCOMPARE(three.width, 3024);
        QCOMPARE(three.height, 1776);
        QCOMPARE(three.initImage.strength, 0.25);
        source.width = 2048;
        try {
            refineRequest(source, 4);
            QFAIL("8192 accepted");
        } catch (const InvalidRequest& e) {
            QVERIFY2(QString(e.what()).contains("8192"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, refineRequest(source, 5));
        source.width = 1024;
        source.imagePath.clear();
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, refineRequest(source, 2));
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
