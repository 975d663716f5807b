// End-to-end parity of the text-to-image pipeline with diffusers' LuminaPipeline on a tiny random pipeline
// (tests/python/make_pipeline_fixtures.py): final latents and the 8-bit image, plus the engine's contracts
// (same seed same image, cancel modes, official samplers, bad requests).
#include "core/engine/lumina_engine.h"
#include "core/io/json_file.h"
#include "core/io/safetensors_file.h"
#include "core/pipeline/loaded_models.h"
#include "core/util/errors.h"

#include <QtTest>
#include <torch/torch.h>

using namespace lumina;

namespace {

QString fixtures() {
    return qEnvironmentVariable("LUMINA_FIXTURES_DIR") + "/pipeline";
}

pipeline::GenerationRequest diffusersRequest(const nlohmann::json& c) {
    pipeline::GenerationRequest r;
    r.preset = "diffusers";
    r.sampling = pipeline::presetSettings("diffusers");
    r.prompt = c["prompt"].get<std::string>();
    r.negativePrompt = c["negative"].get<std::string>();
    r.width = c["width"].get<int>();
    r.height = c["height"].get<int>();
    r.sampling.steps = c["steps"].get<int>();
    r.sampling.guidanceScale = c["guidance"].get<double>();
    r.seed = c["seed"].get<uint64_t>();
    r.device = DeviceChoice::CPU;
    r.precision = Precision::FP32;
    r.diffusersPromptPreprocess = true;
    return r;
}

} // namespace

class TestPipelineParity : public QObject {
    Q_OBJECT
    engine::LuminaEngine m_engine;
    nlohmann::json m_cases;

private slots:
    void initTestCase() {
        at::set_num_threads(1);
        m_engine.loadModel((fixtures() + "/pipeline").toStdString(), {DeviceChoice::CPU, Precision::FP32},
                           {});
        QVERIFY(m_engine.modelLoaded());
        m_cases = io::readJsonObject((fixtures() + "/cases.json").toStdString())["cases"];
        QVERIFY(m_cases.size() >= 6);
    }

    void matchesDiffusers_data() {
        QTest::addColumn<int>("index");
        for (int i = 0; i < static_cast<int>(m_cases.size()); ++i)
            QTest::newRow(m_cases[i]["name"].get<std::string>().c_str()) << i;
    }
    void matchesDiffusers() {
        QFETCH(int, index);
        const auto& c = m_cases[index];
        const auto out = m_engine.generate(diffusersRequest(c), {}, CancelToken());
        auto reference = io::SafetensorsFile::open(
            (fixtures() + "/" + QString::fromStdString(c["name"].get<std::string>()) + ".safetensors")
                .toStdString());
        const auto refLatents = reference->tensor("latents");
        auto latents =
            torch::from_blob(const_cast<float*>(out.latents.data()), out.latentShape, torch::kFloat);
        QCOMPARE(latents.sizes(), refLatents.sizes());
        const double relL2 = ((latents - refLatents).norm() / refLatents.norm()).item<double>();
        QVERIFY2(relL2 <= 1e-4, qPrintable(QString("latents rel L2 %1").arg(relL2)));

        const auto refImage = reference->tensor("image"); // H, W, 3 in [0, 1]
        QCOMPARE(out.image.height, static_cast<int>(refImage.size(0)));
        QCOMPARE(out.image.width, static_cast<int>(refImage.size(1)));
        const auto ours8 = image::toRgb8(out.image);
        const auto ref8 = (refImage * 255).round().to(torch::kInt32).contiguous();
        const auto* r = ref8.data_ptr<int32_t>();
        int64_t off = 0, far = 0;
        for (std::size_t i = 0; i < ours8.pixels.size(); ++i) {
            const int d = std::abs(static_cast<int>(ours8.pixels[i]) - r[i]);
            off += d > 0;
            far += d > 1;
        }
        QCOMPARE(far, int64_t(0));
        QVERIFY2(
            off <= static_cast<int64_t>(ours8.pixels.size() / 1000),
            qPrintable(QString("%1 of %2 values differ by one level").arg(off).arg(ours8.pixels.size())));
        QCOMPARE(out.seed, c["seed"].get<uint64_t>());
    }

    void sameSeedSameImageAndSeedRecorded() {
        auto r = diffusersRequest(m_cases[0]);
        r.seed.reset();
        const auto a = m_engine.generate(r, {}, CancelToken());
        r.seed = a.seed;
        const auto b = m_engine.generate(r, {}, CancelToken());
        QCOMPARE(a.resolved.seed.value(), a.seed);
        QVERIFY(a.latents == b.latents);
        r.seed = a.seed + 1;
        const auto c = m_engine.generate(r, {}, CancelToken());
        QVERIFY(a.latents != c.latents);
    }

    void officialSamplersCountEvaluationsAndPreview_data() {
        QTest::addColumn<QString>("sampler");
        QTest::addColumn<int>("evaluationsPerStep");
        QTest::newRow("euler") << "euler" << 1;
        QTest::newRow("midpoint") << "midpoint" << 2;
        QTest::newRow("rk4") << "rk4" << 4;
    }
    void officialSamplersCountEvaluationsAndPreview() {
        QFETCH(QString, sampler);
        QFETCH(int, evaluationsPerStep);
        auto r = diffusersRequest(m_cases[0]);
        r.preset = "lumina";
        r.sampling = pipeline::presetSettings("lumina");
        r.sampling.sampler = parseSampler(sampler.toStdString());
        r.sampling.steps = 3;
        r.width = 256; // extrapolated for the tiny model (native 128): time-aware scaling switches at 0.3
        std::vector<pipeline::StepProgress> steps;
        int previews = 0;
        pipeline::GenerationCallbacks callbacks;
        callbacks.onStep = [&](const pipeline::StepProgress& p, const image::Rgb8Image* preview) {
            steps.push_back(p);
            if (preview && !preview->empty()) ++previews;
        };
        const auto out = m_engine.generate(r, callbacks, CancelToken());
        QCOMPARE(static_cast<int>(steps.size()), 3);
        QCOMPARE(steps.back().modelEvaluations, 3 * evaluationsPerStep);
        QCOMPARE(steps.back().totalModelEvaluations, 3 * evaluationsPerStep);
        QCOMPARE(previews, 3);
        QCOMPARE(out.image.width, 256);
        for (float v : out.image.pixels)
            QVERIFY(std::isfinite(v) && v >= 0.f && v <= 1.f);
    }

    void sigmoidScheduleDiffersFromUniform() {
        auto r = diffusersRequest(m_cases[0]);
        r.sampling = pipeline::presetSettings("lumina");
        r.sampling.steps = 4;
        const auto uniform = m_engine.generate(r, {}, CancelToken());
        r.sampling.schedule = Schedule::Sigmoid;
        const auto sigmoid = m_engine.generate(r, {}, CancelToken());
        QVERIFY(uniform.latents != sigmoid.latents);
    }

    void contextDropChangesExtrapolatedRunsOnly() {
        auto r = diffusersRequest(m_cases[0]);
        r.sampling.steps = 2;
        const auto native = m_engine.generate(r, {}, CancelToken());
        r.sampling.contextDrop = true;
        const auto nativeDropped = m_engine.generate(r, {}, CancelToken());
        QVERIFY(native.latents ==
                nativeDropped.latents); // 16x16 tokens: at the native count, nothing is pooled
        r.width = r.height = 256;       // 4x the native token count: window 2
        const auto dropped = m_engine.generate(r, {}, CancelToken());
        r.sampling.contextDrop = false;
        const auto full = m_engine.generate(r, {}, CancelToken());
        QVERIFY(dropped.latents != full.latents);
        QVERIFY(torch::isfinite(torch::tensor(dropped.latents)).all().item<bool>());
        for (float v : dropped.image.pixels)
            QVERIFY(v >= 0.f && v <= 1.f);
    }

    void cancelStopsBeforeTheNextEvaluation() {
        auto r = diffusersRequest(m_cases[0]);
        r.sampling.steps = 10;
        CancelToken cancel;
        int seen = 0;
        pipeline::GenerationCallbacks callbacks;
        callbacks.onStep = [&](const pipeline::StepProgress& p, const image::Rgb8Image*) {
            seen = p.modelEvaluations;
            if (p.step == 2) cancel.request(CancelMode::StopNow);
        };
        QVERIFY_THROWS_EXCEPTION(Cancelled, m_engine.generate(r, callbacks, cancel));
        QCOMPARE(seen, 2);
    }

    void stopAndKeepReturnsTheDraft() {
        auto r = diffusersRequest(m_cases[0]);
        r.sampling.steps = 10;
        CancelToken cancel;
        pipeline::GenerationCallbacks callbacks;
        callbacks.onStep = [&](const pipeline::StepProgress& p, const image::Rgb8Image*) {
            if (p.step == 3) cancel.request(CancelMode::StopKeepDraft);
        };
        const auto out = m_engine.generate(r, callbacks, cancel);
        QVERIFY(out.draft);
        QCOMPARE(out.image.width, r.width);
    }

    void badRequestsFailBeforeModelWork_data() {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("steps");
        QTest::addColumn<double>("guidance");
        QTest::newRow("width not multiple of 16") << 130 << 4 << 4.0;
        QTest::newRow("zero steps") << 128 << 0 << 4.0;
        QTest::newRow("negative steps") << 128 << -3 << 4.0;
        QTest::newRow("guidance NaN") << 128 << 4 << std::nan("");
    }
    void badRequestsFailBeforeModelWork() {
        QFETCH(int, width);
        QFETCH(int, steps);
        QFETCH(double, guidance);
        auto r = diffusersRequest(m_cases[0]);
        r.width = width;
        r.sampling.steps = steps;
        r.sampling.guidanceScale = guidance;
        bool stageSeen = false;
        pipeline::GenerationCallbacks callbacks;
        callbacks.onStage = [&](pipeline::Stage) { stageSeen = true; };
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, m_engine.generate(r, callbacks, CancelToken()));
        QVERIFY(!stageSeen);
    }
};

QTEST_GUILESS_MAIN(TestPipelineParity)
#include "test_pipeline_parity.moc"
