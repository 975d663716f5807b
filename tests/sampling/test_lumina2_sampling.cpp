// Parity of the Lumina-Image 2.0 sampling rules with diffusers pipelines/lumina2/pipeline_lumina2.py
// (Lumina2Pipeline.__call__, calculate_shift, encode_prompt) and
// FlowMatchEulerDiscreteScheduler.set_timesteps (sigmas=..., mu=...): sigma/timestep schedules bitwise (fp32,
// 0 ulp) for three scheduler configs, five image sizes, four step counts and both image_seq_len rules;
// guidance with and without cfg_normalization bitwise in fp32 and bf16; which steps are guided (read from the
// real __call__ loop run with a stand-in transformer); the exact text encode_prompt hands to the tokenizer.
// References come from tests/python/make_sampling_fixtures.py.
//
// Mutations tried (each made this suite fail): the norm of cfg_normalization over dim 1 (channels) instead
// of the last dim (normalizedGuidanceIsBitwise, all four rows); the dynamic time shift evaluated in float64
// and rounded to fp32 once (lumina2SchedulesAreBitwise dynamic_exp and dynamic_lin); ">=" instead of ">" in
// the truncation test (truncationMatchesPipeline, from the 1-step ratio-1.0 case on); no space after
// "<Prompt Start>" (promptTexts).
#include "core/io/safetensors_file.h"
#include "core/sampling/flow_match_schedule.h"
#include "core/sampling/guidance.h"
#include "core/sampling/lumina2_schedule.h"
#include "core/text/lumina2_prompt.h"
#include "core/util/errors.h"
#include "support/tensor_compare.h"

#include <QtTest>
#include <filesystem>
#include <fmt/format.h>
#include <torch/torch.h>

using namespace lumina;
using namespace lumina::sampling;

namespace {

std::filesystem::path fixtureDir() {
    return std::filesystem::path(qEnvironmentVariable("LUMINA_FIXTURES_DIR").toStdString()) / "sampling" /
           "lumina2";
}

struct Size {
    int64_t width, height;
};
constexpr Size kSizes[] = {{1024, 1024}, {2048, 2048}, {768, 1344}, {1344, 768}, {512, 512}};
constexpr int64_t kSteps[] = {1, 4, 30, 50};
constexpr int64_t kChannels = 16, kPatch = 2; // the published transformer's in_channels and patch_size

bool same(const at::Tensor& got, const at::Tensor& want, const std::string& what) {
    if (test::bitwiseEqual(got, want)) return true;
    if (got.sizes() == want.sizes())
        qWarning("%s: max abs diff %.3g", what.c_str(), test::diff(got, want).maxAbs);
    else
        qWarning("%s: shape differs", what.c_str());
    return false;
}

} // namespace

class TestLumina2Sampling : public QObject {
    Q_OBJECT

private slots:
    void lumina2SchedulesAreBitwise_data() {
        QTest::addColumn<QString>("config");
        for (const char* c : {"static", "dynamic_exp", "dynamic_lin"})
            QTest::newRow(c) << QString(c);
    }
    void lumina2SchedulesAreBitwise() {
        QFETCH(QString, config);
        const auto name = config.toStdString();
        const auto cfg =
            FlowMatchEulerConfig::load(fixtureDir() / ("scheduler_" + name) / "scheduler_config.json");
        QCOMPARE(cfg.useDynamicShifting, name != "static");
        const auto ref = io::SafetensorsFile::open(fixtureDir() / "schedules.safetensors");
        int checked = 0;
        for (const auto& size : kSizes)
            for (const auto rule : {ImageSeqLenRule::Reference, ImageSeqLenRule::PatchTokens})
                for (const int64_t n : kSteps) {
                    const auto key =
                        fmt::format("{}_{}x{}_{}_n{}", name, size.width, size.height,
                                    rule == ImageSeqLenRule::Reference ? "reference" : "tokens", n);
                    const int64_t seqLen =
                        lumina2ImageSeqLen(size.width, size.height, kChannels, kPatch, rule);
                    QCOMPARE(seqLen, ref->tensor(key + "_seq_len").item<int64_t>());
                    // calculate_shift is plain float64 arithmetic: equal to the last bit.
                    QCOMPARE(calculateShift(seqLen, cfg), ref->tensor(key + "_mu").item<double>());
                    const auto schedule = lumina2Schedule(cfg, n, seqLen);
                    QVERIFY(same(schedule.sigmas(), ref->tensor(key + "_sigmas"), key + " sigmas"));
                    QVERIFY(same(schedule.timesteps(), ref->tensor(key + "_timesteps"), key + " timesteps"));
                    ++checked;
                }
        QCOMPARE(checked, 40);
    }

    void staticScheduleIgnoresImageSize() {
        // The published config is static: the image size cannot change its schedule.
        const auto cfg =
            FlowMatchEulerConfig::load(fixtureDir() / "scheduler_static" / "scheduler_config.json");
        QCOMPARE(cfg.shift, 6.0);
        QVERIFY(test::bitwiseEqual(lumina2Schedule(cfg, 30, 16).sigmas(),
                                   lumina2Schedule(cfg, 30, 16384).sigmas()));
    }

    void scheduleRejectsBadInput() {
        FlowMatchEulerConfig dynamic;
        dynamic.useDynamicShifting = true;
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, FlowMatchEulerSchedule::create(dynamic, 30));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest,
                                 FlowMatchEulerSchedule::createFromSigmas(dynamic, {1.0}, {}));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, FlowMatchEulerSchedule::createFromSigmas({}, {1.0}, 0.5));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest,
                                 FlowMatchEulerSchedule::createFromSigmas({}, {1.0, 0.0}, {}));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, lumina2Schedule({}, 0, 4096));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest,
                                 lumina2ImageSeqLen(0, 1024, 16, 2, ImageSeqLenRule::PatchTokens));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest,
                                 lumina2ImageSeqLen(1024, 1024, 16, 3, ImageSeqLenRule::PatchTokens));
        QCOMPARE(lumina2ImageSeqLen(1024, 1024, 16, 2, ImageSeqLenRule::PatchTokens), int64_t(4096));
        QCOMPARE(lumina2ImageSeqLen(1030, 1024, 16, 2, ImageSeqLenRule::PatchTokens), int64_t(4096));
    }

    void normalizedGuidanceIsBitwise_data() {
        QTest::addColumn<QString>("tag");
        QTest::addColumn<double>("scale");
        for (const char* tag : {"f32", "bf16"})
            for (double g : {4.0, 5.5})
                QTest::newRow(fmt::format("{}_g{}", tag, g).c_str()) << QString(tag) << g;
    }
    void normalizedGuidanceIsBitwise() {
        QFETCH(QString, tag);
        QFETCH(double, scale);
        const auto t = tag.toStdString();
        const auto ref = io::SafetensorsFile::open(fixtureDir() / "guidance.safetensors");
        const auto cond = ref->tensor("cond_" + t), uncond = ref->tensor("uncond_" + t);
        const auto key = fmt::format("{}_g{:.1f}", t, scale);
        const auto guided = classifierFreeGuidance(cond, uncond, scale);
        QVERIFY(same(guided, ref->tensor("guided_" + key), "guided " + key));
        QVERIFY(same(normalizeGuidance(guided, cond), ref->tensor("normalized_" + key), "normalized " + key));
    }

    void guidanceRejectsMismatch() {
        const auto a = torch::zeros({1, 4, 2, 2});
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, classifierFreeGuidance(a, torch::zeros({1, 4, 2, 3}), 4.0));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, normalizeGuidance(a, a.to(torch::kBFloat16)));
    }

    void truncationMatchesPipeline() {
        const auto cases = test::readJson(fixtureDir() / "cases.json");
        int checked = 0;
        for (const auto& c : cases.at("truncation")) {
            const auto n = c.at("steps").get<int64_t>();
            const auto ratio = c.at("ratio").get<double>();
            const auto scale = c.at("scale").get<double>();
            const auto want = c.at("guided").get<std::vector<bool>>();
            const auto plan = lumina2CfgTruncationPlan(n, scale, ratio);
            const auto what = fmt::format("steps {} ratio {} scale {}", n, ratio, scale);
            QVERIFY2(plan.guided == want, what.c_str());
            const auto guided = static_cast<int64_t>(std::count(want.begin(), want.end(), true));
            QCOMPARE(plan.guidedSteps, guided);
            QCOMPARE(plan.evaluations, n + guided);
            QCOMPARE(plan.savedEvaluations, (scale > 1.0 ? n : 0) - guided);
            ++checked;
        }
        QCOMPARE(checked, 48);
        // The default guides every step: nothing saved.
        QCOMPARE(lumina2CfgTruncationPlan(30, 4.0, kLumina2DefaultCfgTruncRatio).savedEvaluations,
                 int64_t(0));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, lumina2CfgTruncationPlan(0, 4.0, 1.0));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, lumina2StepGuided(4, 4, 4.0, 1.0));
    }

    void promptTexts() {
        const auto cases = test::readJson(fixtureDir() / "cases.json");
        QCOMPARE(cases.at("default_system_prompt").get<std::string>(),
                 std::string(text::kLumina2SuperiorSystemPrompt));
        int checked = 0;
        for (const auto& p : cases.at("prompts")) {
            const auto opt = [&](const char* key) {
                return p.at(key).is_null() ? std::optional<std::string>() : p.at(key).get<std::string>();
            };
            const auto prompt = p.at("prompt").get<std::string>();
            QCOMPARE(text::lumina2PromptText(prompt, opt("system_prompt")), p.at("text").get<std::string>());
            QCOMPARE(text::lumina2NegativePromptText(opt("negative_prompt")),
                     p.at("negative_text").get<std::string>());
            QCOMPARE(p.at("max_sequence_length").get<int64_t>(), text::kLumina2MaxSequenceLength);
            ++checked;
        }
        QCOMPARE(checked, 6);
        QVERIFY(std::string(text::kLumina2AlignmentSystemPrompt).find("highest degree") != std::string::npos);
        text::checkLumina2MaxSequenceLength(512);
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, text::checkLumina2MaxSequenceLength(513));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, text::checkLumina2MaxSequenceLength(0));
    }
};

QTEST_GUILESS_MAIN(TestLumina2Sampling)
#include "test_lumina2_sampling.moc"
