// diffusers' own slow test for LuminaPipeline, run through our engine on the real checkpoint:
// "A photo of a cat", 2 steps, guidance 5.0, seed 0 (CPU generator), bf16, 1024x1024; the first 10 pixels of
// the first row must match diffusers' expected values within cosine distance 1e-4.
#include "core/engine/lumina_engine.h"

#include <QtTest>
#include <cmath>

using namespace lumina;

class TestRealModel : public QObject {
    Q_OBJECT
private slots:
    void diffusersSlowTestSlice() {
        const QString model = qEnvironmentVariable("LUMINA_TEST_MODEL");
        if (model.isEmpty())
            QSKIP("set LUMINA_TEST_MODEL to the real Lumina-Next-SFT-diffusers checkpoint to run this");
        engine::LuminaEngine engine;
        engine.loadModel(model.toStdString(), {DeviceChoice::Auto, Precision::BF16}, {});
        pipeline::GenerationRequest r;
        r.preset = "diffusers";
        r.sampling = pipeline::presetSettings("diffusers");
        r.prompt = "A photo of a cat";
        r.sampling.steps = 2;
        r.sampling.guidanceScale = 5.0;
        r.seed = 0;
        r.diffusersPromptPreprocess = true;
        const auto out = engine.generate(r, {}, CancelToken());
        QCOMPARE(out.image.width, 1024);
        const double expected[10][3] = {{0.17773438, 0.18554688, 0.22070312},
                                        {0.046875, 0.06640625, 0.10351562},
                                        {0, 0, 0.02148438},
                                        {0, 0, 0},
                                        {0, 0, 0},
                                        {0, 0, 0},
                                        {0, 0, 0},
                                        {0, 0, 0},
                                        {0, 0, 0},
                                        {0, 0, 0}};
        double dot = 0, a2 = 0, b2 = 0;
        for (int i = 0; i < 10; ++i)
            for (int c = 0; c < 3; ++c) {
                const double a = out.image.pixels[static_cast<std::size_t>(i * 3 + c)], b = expected[i][c];
                dot += a * b;
                a2 += a * a;
                b2 += b * b;
            }
        const double distance = 1.0 - dot / (std::sqrt(a2) * std::sqrt(b2));
        QVERIFY2(distance < 1e-4, qPrintable(QString("cosine distance %1").arg(distance)));
    }
};

QTEST_GUILESS_MAIN(TestRealModel)
#include "test_real_model.moc"
