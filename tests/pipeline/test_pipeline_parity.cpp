// End-to-end parity of the text-to-image pipeline on a tiny random pipeline (tests/python/
// make_pipeline_fixtures.py): the `diffusers` preset against diffusers' LuminaPipeline, the `lumina` preset
// against the official Lumina-T2X sampler (torchdiffeq.odeint on the official grid, official model-side
// rules, tests/python/official_lumina_sampler.py); final latents and the 8-bit image. Plus the engine's
// contracts (same seed same image, cancel modes, evaluation counts, bad requests).
//
// Mutations tried (each made this suite fail): RoPE time-aware switch compared in fp32 for the lumina preset
// (watershed_on_grid_point off by 3e-2); negative prompt cut to the prompt's length (long_negative off
// by 1.4); midpoint's second stage at t0 instead of t0 + dt/2 (every midpoint case); guidance on all 4
// channels (every guided case). Image-to-image: the noise drawn before the VAE posterior sample (every
// imageToImageMatchesReference row, latents rel L2 0.26 to 1.2); the lumina preset's truncation at int(N (1 -
// s)) instead of int((N + 1)(1 - s)) (the lumina rows whose kept step count changes).
#include "core/engine/lumina_engine.h"
#include "core/io/json_file.h"
#include "core/io/safetensors_file.h"
#include "core/pipeline/init_image.h"
#include "core/pipeline/loaded_models.h"
#include "core/util/errors.h"
#include "support/pipeline_reference.h"

#include <QColor>
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>
#include <torch/torch.h>

using namespace lumina;
using lumina::test::compareLevels;
using lumina::test::latentsOf;
using lumina::test::relativeL2;
using lumina::test::verifyMatchesReference;

namespace {

QString fixtures() {
    return qEnvironmentVariable("LUMINA_FIXTURES_DIR") + "/pipeline";
}

std::shared_ptr<const io::SafetensorsFile> referenceFile(const std::string& stem) {
    return io::SafetensorsFile::open(
        (fixtures() + "/" + QString::fromStdString(stem) + ".safetensors").toStdString());
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
    r.diffusersPromptPreprocess = true;
    return r;
}

} // namespace

class TestPipelineParity : public QObject {
    Q_OBJECT
    engine::LuminaEngine m_engine;
    nlohmann::json m_fixture;
    nlohmann::json m_cases;

private slots:
    void initTestCase() {
        at::set_num_threads(1);
        m_engine.loadModel((fixtures() + "/pipeline").toStdString(), {DeviceChoice::CPU, Precision::FP32},
                           {});
        QVERIFY(m_engine.modelLoaded());
        m_fixture = io::readJsonObject((fixtures() + "/cases.json").toStdString());
        m_cases = m_fixture["cases"];
        QVERIFY(m_cases.size() >= 6);
        QVERIFY(m_fixture["lumina_cases"].size() >= 14);
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
        verifyMatchesReference(out, *referenceFile(c["name"].get<std::string>()));
        if (QTest::currentTestFailed()) return;
        QCOMPARE(out.seed, c["seed"].get<uint64_t>());
    }

    // The lumina preset (official demo rules) against the official sampler: each case is the app's request
    // JSON, run as the CLI and the UI run it.
    void matchesOfficialSampler_data() {
        QTest::addColumn<int>("index");
        const auto& cases = m_fixture["lumina_cases"];
        for (int i = 0; i < static_cast<int>(cases.size()); ++i)
            QTest::newRow(cases[i]["name"].get<std::string>().c_str()) << i;
    }
    void matchesOfficialSampler() {
        QFETCH(int, index);
        const auto& c = m_fixture["lumina_cases"][index];
        const auto request = pipeline::requestFromJson(c["request"]);
        QCOMPARE(request.preset, std::string("lumina"));
        const auto out = m_engine.generate(request, {}, CancelToken());
        auto reference = io::SafetensorsFile::open(
            (fixtures() + "/lumina_" + QString::fromStdString(c["name"].get<std::string>()) + ".safetensors")
                .toStdString());
        const auto refLatents = reference->tensor("latents");
        const auto latents = latentsOf(out);
        QCOMPARE(latents.sizes(), refLatents.sizes());
        const double relL2 = relativeL2(latents, refLatents);
        QVERIFY2(relL2 <= 1e-4, qPrintable(QString("latents rel L2 %1").arg(relL2)));
        if (c.contains("contrast_rel_l2")) {
            // The fixture's run with diffusers' rule instead lands far away: this case tells the rules apart.
            const double contrast = c["contrast_rel_l2"].get<double>();
            QVERIFY2(contrast > 1e-2, qPrintable(QString("contrast only %1").arg(contrast)));
        }

        // The image: within one level of the reference rounded as the app exports (rarely off at all), and
        // within one level of the official demo's own 8-bit image (to_pil_image truncates).
        const auto ours8 = image::toRgb8(out.image);
        const auto refImage = reference->tensor("image");
        QCOMPARE(out.image.height, static_cast<int>(refImage.size(0)));
        QCOMPARE(out.image.width, static_cast<int>(refImage.size(1)));
        const auto rounded = compareLevels(ours8, (refImage * 255).round());
        QCOMPARE(rounded.far, int64_t(0));
        QVERIFY2(
            rounded.off <= static_cast<int64_t>(ours8.pixels.size() / 1000),
            qPrintable(
                QString("%1 of %2 values differ by one level").arg(rounded.off).arg(ours8.pixels.size())));
        const auto demo = compareLevels(ours8, reference->tensor("image_pil"));
        qInfo("latents rel L2 %.3g; %lld values one level off; %d levels at most from the demo's image",
              relL2, static_cast<long long>(rounded.off), demo.worst);
        QVERIFY2(demo.worst <= 1, qPrintable(QString("%1 levels from the demo's image").arg(demo.worst)));
    }

    // The RoPE rule matters at 2x: the references of the four rules differ pairwise (so
    // matchesOfficialSampler tells them apart), and the preset's time-aware run is not the unscaled one.
    void ropeRulesGiveDifferentResultsWhenExtrapolating() {
        std::vector<at::Tensor> refs;
        for (const char* rule : {"time-aware", "none", "ntk", "linear"}) {
            const std::string name =
                std::string(rule) == "time-aware" ? "midpoint" : std::string("rope_") + rule;
            refs.push_back(io::SafetensorsFile::open((fixtures() + "/lumina_extrapolated_2x_" +
                                                      QString::fromStdString(name) + ".safetensors")
                                                         .toStdString())
                               ->tensor("latents"));
        }
        for (std::size_t a = 0; a < refs.size(); ++a)
            for (std::size_t b = a + 1; b < refs.size(); ++b)
                QVERIFY2(relativeL2(refs[a], refs[b]) > 1e-3,
                         qPrintable(QString("rules %1 and %2 agree").arg(a).arg(b)));
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

    // Image-to-image (docs/img2img.md): the diffusers preset against diffusers' own pieces in
    // StableDiffusion3Img2ImgPipeline's order, the lumina preset against Lumina-T2X sample_img2img.py on the
    // official sampler (tests/python/img2img_references.py). Square, non-square, fit and crop, strength 1
    // (the reference is then plain text-to-image from the noise drawn after the posterior sample), strength
    // 0.3 and a 2x extrapolated target from an init image of another size.
    void imageToImageMatchesReference_data() {
        QTest::addColumn<int>("index");
        const auto& cases = m_fixture["img2img_cases"];
        for (int i = 0; i < static_cast<int>(cases.size()); ++i)
            QTest::newRow(cases[i]["name"].get<std::string>().c_str()) << i;
    }
    void imageToImageMatchesReference() {
        QFETCH(int, index);
        const auto& c = m_fixture["img2img_cases"][index];
        const auto request = pipeline::requestFromJson(c["request"]);
        QVERIFY(request.initImage.enabled());
        QCOMPARE(pipeline::keptSteps(request), c["kept_steps"].get<int>());
        int lastStep = 0, totalSteps = 0;
        std::vector<pipeline::Stage> stages;
        pipeline::GenerationCallbacks callbacks;
        callbacks.onStage = [&](pipeline::Stage st) { stages.push_back(st); };
        callbacks.onStep = [&](const pipeline::StepProgress& p, const image::Rgb8Image*) {
            lastStep = p.step;
            totalSteps = p.totalSteps;
        };
        const auto out = m_engine.generate(request, callbacks, CancelToken());
        verifyMatchesReference(out, *referenceFile("img2img_" + c["name"].get<std::string>()));
        if (QTest::currentTestFailed()) return;
        QCOMPARE(lastStep, c["kept_steps"].get<int>());
        QCOMPARE(totalSteps, c["kept_steps"].get<int>());
        const std::vector<pipeline::Stage> expected{pipeline::Stage::EncodingPrompt,
                                                    pipeline::Stage::EncodingImage, pipeline::Stage::Sampling,
                                                    pipeline::Stage::Decoding, pipeline::Stage::Done};
        QVERIFY(stages == expected);
        QCOMPARE(out.resolved.initImage.path, request.initImage.path);
    }

    // The init image as the pipeline sees it (read, cropped or not, Lanczos-3, clamped, 2x - 1) against
    // Pillow's LANCZOS on float channels.
    void initImageMatchesPillow_data() { imageToImageMatchesReference_data(); }
    void initImageMatchesPillow() {
        QFETCH(int, index);
        const auto& c = m_fixture["img2img_cases"][index];
        const auto r = pipeline::requestFromJson(c["request"]);
        const auto ours = pipeline::initImageTensor(pipeline::loadInitImage(r.initImage.path), r.width,
                                                    r.height, r.initImage.resize);
        const auto pillow = referenceFile("img2img_" + c["name"].get<std::string>())
                                ->tensor("init_pixels")
                                .permute({2, 0, 1});
        QCOMPARE(ours.sizes().vec(), (std::vector<int64_t>{1, 3, r.height, r.width}));
        const double worst = (ours[0] - (pillow * 2.0 - 1.0)).abs().max().item<double>();
        QVERIFY2(worst <= 1e-5, qPrintable(QString("%1 from Pillow").arg(worst)));
    }

    // The strength decides the start: a weaker strength stays closer to the init image's latents, and at
    // strength 1 the result no longer depends on which image was given.
    void strengthControlsHowMuchOfTheImageIsKept() {
        const auto& c = m_fixture["img2img_cases"][0];
        auto r = pipeline::requestFromJson(c["request"]);
        r.sampling.steps = 10;
        std::vector<at::Tensor> results;
        for (double strength : {0.2, 0.6, 1.0}) {
            r.initImage.strength = strength;
            results.push_back(latentsOf(m_engine.generate(r, {}, CancelToken())));
        }
        auto plain = r;
        plain.initImage = {};
        const auto textOnly = latentsOf(m_engine.generate(plain, {}, CancelToken()));
        QVERIFY(relativeL2(results[0], results[2]) > 1e-2);
        QVERIFY(relativeL2(results[1], results[2]) > 1e-2);
        QVERIFY(relativeL2(results[2], textOnly) > 1e-2); // the noise is drawn after the posterior sample
        r.initImage.strength = 1.0;
        r.initImage.path = m_fixture["img2img_cases"][1]["request"]["init_image"].get<std::string>();
        const auto otherImage = latentsOf(m_engine.generate(r, {}, CancelToken()));
        QVERIFY(relativeL2(otherImage, results[2]) <= 1e-6);
    }

    // 16-bit files keep their precision and alpha is dropped (not composited): the RGB values are used as
    // they are.
    void sixteenBitInitImageWithAlphaKeepsItsRgb() {
        QTemporaryDir dir;
        QImage picture(37, 23, QImage::Format_RGBA64);
        for (int y = 0; y < picture.height(); ++y)
            for (int x = 0; x < picture.width(); ++x)
                picture.setPixelColor(x, y,
                                      QColor::fromRgba64(static_cast<quint16>(x * 1771 + 3),
                                                         static_cast<quint16>(y * 2801 + 5),
                                                         static_cast<quint16>((x * y * 97) % 65536),
                                                         static_cast<quint16>(x % 2 ? 0 : 65535)));
        const QString file = dir.filePath("sixteen.png");
        QVERIFY(picture.save(file));
        const auto read = pipeline::loadInitImage(file.toStdString());
        QCOMPARE(read.width, 37);
        QCOMPARE(read.height, 23);
        for (int y = 0; y < read.height; ++y)
            for (int x = 0; x < read.width; ++x) {
                const float* px = &read.pixels[(static_cast<std::size_t>(y) * read.width + x) * 3];
                QCOMPARE(px[0], static_cast<float>(x * 1771 + 3) / 65535.0f);
                QCOMPARE(px[1], static_cast<float>(y * 2801 + 5) / 65535.0f);
                QCOMPARE(px[2], static_cast<float>((x * y * 97) % 65536) / 65535.0f);
            }
    }

    void badImageToImageInputFailsClearly_data() {
        QTest::addColumn<QString>("file");       // "" = the fixture's init image
        QTest::addColumn<QByteArray>("content"); // written to `file` when not empty
        QTest::addColumn<double>("strength");
        QTest::addColumn<int>("steps");
        QTest::addColumn<QString>("error"); // InvalidRequest or IoError
        QTest::addColumn<QString>("message");
        QTest::newRow("missing file") << "absent.png" << QByteArray() << 0.6 << 4 << "InvalidRequest"
                                      << "does not exist";
        QTest::newRow("not an image")
            << "text.png" << QByteArray("just some text, no pixels") << 0.6 << 4 << "IoError"
            << "cannot be read";
        QTest::newRow("zero bytes") << "empty.png" << QByteArray() << 0.6 << 4 << "IoError"
                                    << "empty.png";
        QTest::newRow("strength zero") << "" << QByteArray() << 0.0 << 4 << "InvalidRequest"
                                       << "strength";
        QTest::newRow("strength above one") << "" << QByteArray() << 1.5 << 4 << "InvalidRequest"
                                            << "strength";
        QTest::newRow("strength nan") << "" << QByteArray() << std::nan("") << 4 << "InvalidRequest"
                                      << "strength";
        QTest::newRow("keeps no step") << "" << QByteArray() << 0.1 << 4 << "InvalidRequest"
                                       << "keeps none";
    }
    void badImageToImageInputFailsClearly() {
        QFETCH(QString, file);
        QFETCH(QByteArray, content);
        QFETCH(double, strength);
        QFETCH(int, steps);
        QFETCH(QString, error);
        QFETCH(QString, message);
        QTemporaryDir dir;
        auto r = pipeline::requestFromJson(m_fixture["img2img_cases"][0]["request"]);
        r.preset = "lumina"; // whose rule can keep no step: 4 steps at 0.1 drop int(5 * 0.9) = 4 grid points
        r.initImage.strength = strength;
        r.sampling.steps = steps;
        if (!file.isEmpty()) {
            r.initImage.path = dir.filePath(file).toStdString();
            if (file != "absent.png") {
                QFile f(dir.filePath(file));
                QVERIFY(f.open(QIODevice::WriteOnly));
                f.write(content);
            }
        }
        bool sampled = false;
        pipeline::GenerationCallbacks callbacks;
        callbacks.onStage = [&](pipeline::Stage st) { sampled = sampled || st == pipeline::Stage::Sampling; };
        QString caught, what;
        try {
            m_engine.generate(r, callbacks, CancelToken());
        } catch (const InvalidRequest& e) {
            caught = "InvalidRequest";
            what = e.what();
        } catch (const IoError& e) {
            caught = "IoError";
            what = e.what();
        }
        QCOMPARE(caught, error);
        QVERIFY2(what.contains(message), qPrintable(what));
        QVERIFY(!sampled);
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
