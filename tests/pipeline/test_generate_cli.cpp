// `lumina-cli generate` as scripts use it: outputs, JSON, latents, exit codes, Ctrl-C. Every sampler,
// schedule, RoPE rule and guidance mode is checked by content: the saved latents and the PNG against the
// reference runs of tests/python/make_pipeline_fixtures.py (the official sampler for the lumina preset,
// diffusers' LuminaPipeline for the diffusers preset).
//
// Mutation tried: the CLI's --rope-scaling parsed but not passed on (ropeScaling left at the preset's): the
// none, ntk and linear rows of luminaPresetMatchesTheOfficialSampler failed.
#include "support/cli_run.h"

#include <QColor>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <csignal>
#include <utility>
#include <vector>

using lumina::test::cli;
using lumina::test::flagsFor;
using lumina::test::Floats;
using lumina::test::readF32;
using lumina::test::relativeL2;

namespace {

QString model() {
    return qEnvironmentVariable("LUMINA_FIXTURES_DIR") + "/pipeline/pipeline";
}

QString fixtures() {
    return qEnvironmentVariable("LUMINA_FIXTURES_DIR") + "/pipeline";
}

// Largest level difference and the share of values off at all, PNG against a float HWC reference in [0, 1].
std::pair<int, double> levelDifference(const QImage& png, const Floats& reference) {
    const QImage rgb = png.convertToFormat(QImage::Format_RGB888);
    int worst = 0;
    int64_t off = 0, n = 0;
    for (int y = 0; y < rgb.height(); ++y)
        for (int x = 0; x < rgb.width() * 3; ++x, ++n) {
            const int want =
                static_cast<int>(std::lround(reference.values[static_cast<std::size_t>(n)] * 255.0f));
            const int d = std::abs(int(rgb.constScanLine(y)[x]) - want);
            worst = std::max(worst, d);
            off += d > 0;
        }
    return {worst, n ? double(off) / double(n) : 1.0};
}

QStringList tinyArgs(const QString& prompt = "a photo of a cat") {
    return {"generate", "--model", model(),   "--prompt", prompt,     "--width", "128",
            "--height", "128",     "--steps", "2",        "--device", "cpu",     "--quiet"};
}

// Largest difference between two RGB888 pictures of the same size, in 8-bit levels.
int largestLevelDifference(const QImage& a, const QImage& b) {
    int worst = 0;
    for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width() * 3; ++x)
            worst = std::max(worst, std::abs(int(a.constScanLine(y)[x]) - int(b.constScanLine(y)[x])));
    return worst;
}

} // namespace

class TestGenerateCli : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QJsonObject m_cases;

private slots:
    void initTestCase() {
        QFile f(fixtures() + "/cases.json");
        QVERIFY(f.open(QIODevice::ReadOnly));
        m_cases = QJsonDocument::fromJson(f.readAll()).object();
        QVERIFY(!m_cases["lumina_cases"].toArray().isEmpty());
    }

    // Each sampler, RoPE rule and guidance mode of the lumina preset: the CLI's latents and image are the
    // official sampler's for the same settings.
    void luminaPresetMatchesTheOfficialSampler_data() {
        QTest::addColumn<QString>("name");
        for (const char* name :
             {"native_midpoint", "native_euler_5", "nonsquare_rk4", "extrapolated_2x_midpoint",
              "extrapolated_2x_rope_none", "extrapolated_2x_rope_ntk", "extrapolated_2x_rope_linear",
              "cfg_all_channels", "long_negative", "sigmoid_midpoint"})
            QTest::newRow(name) << QString(name);
    }
    void luminaPresetMatchesTheOfficialSampler() {
        QFETCH(QString, name);
        QJsonObject request;
        for (const auto c : m_cases["lumina_cases"].toArray())
            if (c.toObject()["name"].toString() == name) request = c.toObject()["request"].toObject();
        QVERIFY2(!request.isEmpty(), qPrintable("no lumina case " + name));
        const QString png = m_dir.filePath(name + ".png"), latents = m_dir.filePath(name + ".safetensors");
        const auto r = cli(QStringList{"generate", "--model", model()} + flagsFor(request) +
                           QStringList{"--output", png, "--save-latents", latents, "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto settings = QJsonDocument::fromJson(r.out).object()["settings"].toObject();
        for (const char* key : {"sampler", "schedule", "rope_scaling", "cfg_channels"})
            QCOMPARE(settings[key].toString(), request[key].toString());

        const QString reference = fixtures() + "/lumina_" + name + ".safetensors";
        const auto ours = readF32(latents, "latents");
        const auto want = readF32(reference, "latents");
        QCOMPARE(ours.shape, want.shape);
        const double relL2 = relativeL2(ours.values, want.values);
        QVERIFY2(relL2 <= 1e-4, qPrintable(QString("latents rel L2 %1").arg(relL2)));
        const auto [worst, share] = levelDifference(QImage(png), readF32(reference, "image"));
        QVERIFY2(worst <= 1 && share <= 1e-3,
                 qPrintable(QString("image off by %1 levels at %2 of values").arg(worst).arg(share)));
    }

    // The diffusers preset (diffusers-euler on the scheduler's sigmas, prompt lowercased) is
    // LuminaPipeline's.
    void diffusersPresetMatchesLuminaPipeline() {
        const auto c = m_cases["cases"].toArray()[0].toObject(); // square_cfg
        const QString png = m_dir.filePath("diffusers.png"),
                      latents = m_dir.filePath("diffusers.safetensors");
        const auto r = cli({"generate",
                            "--model",
                            model(),
                            "--preset",
                            "diffusers",
                            "--prompt",
                            c["prompt"].toString(),
                            "--negative",
                            c["negative"].toString(),
                            "--width",
                            QString::number(c["width"].toInt()),
                            "--height",
                            QString::number(c["height"].toInt()),
                            "--steps",
                            QString::number(c["steps"].toInt()),
                            "--guidance",
                            QString::number(c["guidance"].toDouble()),
                            "--seed",
                            QString::number(c["seed"].toInteger()),
                            "--device",
                            "cpu",
                            "--quiet",
                            "--output",
                            png,
                            "--save-latents",
                            latents});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString reference = fixtures() + "/" + c["name"].toString() + ".safetensors";
        const double relL2 =
            relativeL2(readF32(latents, "latents").values, readF32(reference, "latents").values);
        QVERIFY2(relL2 <= 1e-4, qPrintable(QString("latents rel L2 %1").arg(relL2)));
        const auto [worst, share] = levelDifference(QImage(png), readF32(reference, "image"));
        QVERIFY2(worst <= 1 && share <= 1e-3, qPrintable(QString("image off by %1 levels").arg(worst)));
    }

    // The same command on a Lumina-Image 2.0 folder: the family comes from the files, the diffusers preset
    // with a LoRA through --lora FILE:SCALE matches Lumina2Pipeline with load_lora_weights + fuse_lora.
    void lumina2WithLoraMatchesLumina2Pipeline() {
        const QString dir = qEnvironmentVariable("LUMINA_FIXTURES_DIR") + "/lumina2_pipeline";
        QJsonObject c;
        QFile casesFile(dir + "/cases.json");
        QVERIFY(casesFile.open(QIODevice::ReadOnly));
        for (const auto& v : QJsonDocument::fromJson(casesFile.readAll()).array())
            if (v.toObject()["name"].toString() == "lora_0_8") c = v.toObject()["request"].toObject();
        QVERIFY(!c.isEmpty());
        QCOMPARE(c["loras"].toArray().size(), 1);
        const QString latents = m_dir.filePath("lumina2.safetensors");
        // Every setting of the case, the LoRA (--lora FILE:SCALE) among them.
        const auto r = cli(QStringList{"generate", "--model", dir + "/pipeline"} + flagsFor(c) +
                           QStringList{"--json", "--save-latents", latents});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto json = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(json["model_family"].toString(), QString("lumina2"));
        QCOMPARE(json["settings"].toObject()["loras"].toArray().size(), 1);
        const double relL2 = relativeL2(readF32(latents, "latents").values,
                                        readF32(dir + "/lora_0_8.safetensors", "latents").values);
        QVERIFY2(relL2 <= 1e-4, qPrintable(QString("latents rel L2 %1").arg(relL2)));
        // Lumina 2 settings on a Lumina-Next model: exit 2 naming the family, before loading.
        const auto wrong = cli({"generate", "--model", model(), "--prompt", "x", "--cfg-trunc", "0.5"});
        QCOMPARE(wrong.exitCode, 2);
        QVERIFY2(wrong.err.contains("Lumina-Image 2.0"), wrong.err.constData());
        const auto preset =
            cli({"generate", "--model", dir + "/pipeline", "--prompt", "x", "--preset", "lumina"});
        QCOMPARE(preset.exitCode, 2);
        QVERIFY2(preset.err.contains("lumina2-official"), preset.err.constData());
    }

    // `bench --component transformer` on a transformer folder of either family: the family comes from its
    // config class and the model timed is the folder's (its parameter count is the one `info` reports).
    void benchTimesEitherFamily_data() {
        QTest::addColumn<QString>("pipeline");
        QTest::addColumn<QString>("family");
        QTest::newRow("Lumina-Next") << model() << "lumina-next";
        QTest::newRow("Lumina-Image 2.0")
            << qEnvironmentVariable("LUMINA_FIXTURES_DIR") + "/lumina2_pipeline/pipeline"
            << "lumina2";
    }
    void benchTimesEitherFamily() {
        QFETCH(QString, pipeline);
        QFETCH(QString, family);
        const auto info = cli({"info", "--model", pipeline, "--json"});
        QVERIFY2(info.exitCode == 0, info.err.constData());
        const auto wanted = QJsonDocument::fromJson(info.out)
                                .object()["components"]
                                .toObject()["transformer"]
                                .toObject()["parameters"]
                                .toInteger();
        const auto r = cli({"bench", "--component", "transformer", "--config", pipeline + "/transformer",
                            "--width", "128", "--height", "128", "--batch", "2", "--dtype", "fp32", "--steps",
                            "1", "--caption-length", "16"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto json = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(json["model_family"].toString(), family);
        QCOMPARE(json["parameters"].toInteger(), wanted);
        QCOMPARE(json["tokens"].toInt(), 64);
        QVERIFY(json["seconds_per_step"].toDouble() > 0);
    }

    void randomSeedIsRecordedAndLatentsSaved() {
        const QString latents = m_dir.filePath("latents.safetensors");
        const auto r = cli(tinyArgs() + QStringList{"--seed", "random", "--save-latents", latents, "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto j = QJsonDocument::fromJson(r.out).object();
        QVERIFY(j["seed"].isDouble());
        // Auto on the CPU is LibTorch's own kernel choice, the reference's (no measurement).
        QCOMPARE(j["attention"].toString(), QString("libtorch"));
        const auto first = readF32(latents, "latents");
        QCOMPARE(first.shape, (QJsonArray{1, 4, 16, 16}));
        // The recorded seed reproduces the run.
        const QString again = m_dir.filePath("latents_again.safetensors");
        const auto r2 = cli(tinyArgs() + QStringList{"--seed", QString::number(j["seed"].toInteger()),
                                                     "--save-latents", again});
        QVERIFY2(r2.exitCode == 0, r2.err.constData());
        QVERIFY(readF32(again, "latents").values == first.values);
        // An explicit kernel is what runs, and is reported.
        const auto math = cli(tinyArgs() + QStringList{"--seed", "1", "--attention", "math", "--json"});
        QVERIFY2(math.exitCode == 0, math.err.constData());
        QCOMPARE(QJsonDocument::fromJson(math.out).object()["attention"].toString(), QString("math"));
    }

    void progressOnAPipeIsALogNotADisplay() {
        // stderr is a pipe here: no carriage returns, at most one line per tenth of each phase, and sizes in
        // the unit that fits (the tiny model is a few MB, which must not read "0.00 / 0.00 GB").
        QStringList args = tinyArgs();
        args.removeAll("--quiet");
        args.replaceInStrings(QRegularExpression("^2$"), "8"); // --steps 8
        const auto r = cli(args + QStringList{"--save-latents", m_dir.filePath("piped.safetensors")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString err = QString::fromUtf8(r.err);
        QVERIFY2(!err.contains('\r') && !err.contains("\033["), qPrintable(err));
        const QStringList lines = err.split('\n', Qt::SkipEmptyParts);
        const auto loading = lines.filter("loading model");
        const auto steps = lines.filter(QRegularExpression("^step "));
        QVERIFY2(!loading.isEmpty() && loading.size() <= 11, qPrintable(err));
        QVERIFY2(steps.size() >= 2 && steps.size() <= 11, qPrintable(err));
        QVERIFY2(!err.contains("0.00 GB"), qPrintable(err));
        QVERIFY2(loading.last().contains(QRegularExpression(R"(/ [0-9.]+ (KB|MB)$)")),
                 qPrintable(loading.last()));
    }

    void explicitFlagsOverrideThePreset() {
        const auto r = cli({"generate",     "--model",   model(),   "--prompt", "x",           "--width",
                            "128",          "--height",  "128",     "--device", "cpu",         "--quiet",
                            "--preset",     "diffusers", "--steps", "3",        "--watershed", "0.5",
                            "--time-shift", "2",         "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto s = QJsonDocument::fromJson(r.out).object()["settings"].toObject();
        QCOMPARE(s["sampler"].toString(), QString("diffusers-euler"));
        QCOMPARE(s["steps"].toInt(), 3);
        QCOMPARE(s["watershed"].toDouble(), 0.5);
        QCOMPARE(s["time_shift"].toDouble(), 2.0);
    }

    void forcedTiledDecodeMatchesUntiled() {
        // 512^2 on the tiny pipeline = 64^2 latents: 256-pixel tiles make a 3 x 3 grid with exact statistics.
        QStringList args = tinyArgs() + QStringList{"--seed", "3", "--json"};
        args[args.indexOf("--width") + 1] = "512";
        args[args.indexOf("--height") + 1] = "512";
        const QString untiledPng = m_dir.filePath("untiled.png"), tiledPng = m_dir.filePath("tiled.png");
        const auto untiled = cli(args + QStringList{"--vae-tiling", "never", "--output", untiledPng});
        QVERIFY2(untiled.exitCode == 0, untiled.err.constData());
        const auto tiled =
            cli(args + QStringList{"--vae-tiling", "always", "--vae-tile", "256", "--output", tiledPng});
        QVERIFY2(tiled.exitCode == 0, tiled.err.constData());
        const auto settings = QJsonDocument::fromJson(tiled.out).object()["settings"].toObject();
        QCOMPARE(settings["vae_tiling"].toString(), QString("always"));
        QCOMPARE(settings["vae_tile"].toInt(), 256);
        const QImage a = QImage(untiledPng).convertToFormat(QImage::Format_RGB888);
        const QImage b = QImage(tiledPng).convertToFormat(QImage::Format_RGB888);
        QCOMPARE(a.size(), QSize(512, 512));
        QCOMPARE(b.size(), a.size());
        const int worst = largestLevelDifference(a, b);
        QVERIFY2(worst <= 1, qPrintable(QString("largest difference %1 levels").arg(worst)));
    }

    // --memory-limit reaches the memory plan (core/pipeline/memory_plan.h): with less room than the untiled
    // decode needs beside the weights, the plan tiles the decode (the CPU never moves models), --json reports
    // the plan, and the picture is the untiled one within a level.
    void memoryLimitTilesTheDecode() {
        QStringList args = tinyArgs() + QStringList{"--seed", "5", "--json"};
        args[args.indexOf("--width") + 1] = "512";
        args[args.indexOf("--height") + 1] = "512";
        const QString freePng = m_dir.filePath("free.png"), limitedPng = m_dir.filePath("limited.png");
        const auto unlimited = cli(args + QStringList{"--output", freePng});
        QVERIFY2(unlimited.exitCode == 0, unlimited.err.constData());
        const auto plan = QJsonDocument::fromJson(unlimited.out).object()["memory_plan"].toObject();
        QCOMPARE(plan["placement"].toString(), QString("all resident"));
        QCOMPARE(plan["tiled_decode"].toBool(), false);
        const double weights = plan["weight_bytes"].toDouble(), decode = plan["decode_bytes"].toDouble();
        QVERIFY(weights > 0 && decode > 0);
        const double limitGiB = (weights + decode / 2) / double(1 << 30);
        // --verbose: the decode's own log line says it tiled (the plan alone could say so without the limit
        // reaching the decode).
        const auto limited =
            cli(QStringList{"--verbose"} + args +
                QStringList{"--memory-limit", QString::number(limitGiB, 'g', 17), "--output", limitedPng});
        QVERIFY2(limited.exitCode == 0, limited.err.constData());
        QVERIFY2(QString(limited.err).contains("VAE: tiled decode"), limited.err.constData());
        QVERIFY2(!QString(unlimited.err).contains("VAE: tiled decode"), unlimited.err.constData());
        const auto tight = QJsonDocument::fromJson(limited.out).object()["memory_plan"].toObject();
        QCOMPARE(tight["placement"].toString(), QString("all resident"));
        QCOMPARE(tight["tiled_decode"].toBool(), true);
        QVERIFY(tight["decode_bytes"].toDouble() < decode);
        QVERIFY(std::abs(tight["budget_bytes"].toDouble() - limitGiB * double(1 << 30)) < 2);
        const QImage a = QImage(freePng).convertToFormat(QImage::Format_RGB888);
        const QImage b = QImage(limitedPng).convertToFormat(QImage::Format_RGB888);
        QCOMPARE(b.size(), a.size());
        const int worst = largestLevelDifference(a, b);
        QVERIFY2(worst <= 1, qPrintable(QString("largest difference %1 levels").arg(worst)));
    }

    void badArgumentsExitTwoBeforeLoading_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QStringList base{"generate", "--model", "/no/such/model", "--prompt", "x", "--json"};
        QTest::newRow("size") << base + QStringList{"--width", "1000"} << "multiple of 16";
        QTest::newRow("steps zero") << base + QStringList{"--steps", "0"} << "steps";
        QTest::newRow("guidance nan") << base + QStringList{"--guidance", "nan"} << "guidance";
        QTest::newRow("sampler") << base + QStringList{"--sampler", "ddim"} << "sampler";
        QTest::newRow("missing folder")
            << base + QStringList{"--output", "/no/such/dir/x.png"} << "/no/such/dir";
        QTest::newRow("extension") << base + QStringList{"--output", "/tmp/x.gif"} << "gif";
        QTest::newRow("vae tile") << base + QStringList{"--vae-tile", "100"} << "multiple of 64";
        QTest::newRow("memory limit") << base + QStringList{"--memory-limit", "-2"} << "--memory-limit";
        QTest::newRow("attention") << base + QStringList{"--attention", "warp"}
                                   << "attention must be one of auto|libtorch|math|flash|efficient|cudnn";
        QTest::newRow("vae tiling") << base + QStringList{"--vae-tiling", "sometimes"}
                                    << "vae-tiling must be one of auto|always|never";
        QTest::newRow("unknown option") << base + QStringList{"--colour", "red"} << "unknown option";
        QTest::newRow("no prompt") << QStringList{"generate", "--model", "/x", "--json"} << "--prompt";
        QTest::newRow("strength without init image")
            << base + QStringList{"--strength", "0.5"} << "--init-image";
        QTest::newRow("init image missing")
            << base + QStringList{"--init-image", "/no/such/picture.png"} << "/no/such/picture.png";
        QTest::newRow("strength above one")
            << base + QStringList{"--init-image", "/no/such/picture.png", "--strength", "1.5"} << "strength";
        QTest::newRow("strength keeps no step")
            << base + QStringList{"--init-image", "/x.png", "--strength", "0.01", "--steps", "10"}
            << "keeps none";
        QTest::newRow("resize") << base + QStringList{"--init-image", "/x.png", "--resize", "stretch"}
                                << "resize must be one of fit|crop";
    }
    void badArgumentsExitTwoBeforeLoading() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const auto r = cli(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString(r.err).contains(message, Qt::CaseInsensitive), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    // Image-to-image from the command line: the flags reach the pipeline (one case per preset, against the
    // references of tests/python/img2img_references.py), and the settings embedded in the PNG say how it was
    // made.
    void imageToImageFromTheCommandLine_data() {
        QTest::addColumn<QString>("name");
        QTest::newRow("lumina") << "lumina_nonsquare_crop_euler_s05";
        QTest::newRow("diffusers") << "diffusers_extrapolated_2x_crop";
    }
    void imageToImageFromTheCommandLine() {
        QFETCH(QString, name);
        QJsonObject r;
        for (const auto c : m_cases["img2img_cases"].toArray())
            if (c.toObject()["name"].toString() == name) r = c.toObject()["request"].toObject();
        QVERIFY2(!r.isEmpty(), qPrintable("no image-to-image case " + name));
        const QString png = m_dir.filePath(name + ".png"), latents = m_dir.filePath(name + ".safetensors");
        const auto run = cli(QStringList{"generate", "--model", model()} + flagsFor(r) +
                             QStringList{"--output", png, "--save-latents", latents});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QString reference = fixtures() + "/img2img_" + name + ".safetensors";
        const double relL2 =
            relativeL2(readF32(latents, "latents").values, readF32(reference, "latents").values);
        QVERIFY2(relL2 <= 1e-4, qPrintable(QString("latents rel L2 %1").arg(relL2)));
        const auto [worst, share] = levelDifference(QImage(png), readF32(reference, "image"));
        QVERIFY2(worst <= 1 && share <= 1e-3, qPrintable(QString("image off by %1 levels").arg(worst)));

        // `inspect` reads the settings back, init image and strength included.
        const auto inspected = cli({"inspect", png, "--json"});
        QVERIFY2(inspected.exitCode == 0, inspected.err.constData());
        const auto j = QJsonDocument::fromJson(inspected.out).object();
        QCOMPARE(j["source"].toString(), QString("lumina"));
        const auto settings = j["settings"].toObject();
        QCOMPARE(settings["prompt"].toString(), r["prompt"].toString());
        QCOMPARE(settings["init_image"].toString(), r["init_image"].toString());
        QCOMPARE(settings["strength"].toDouble(), r["strength"].toDouble());
        QCOMPARE(settings["init_resize"].toString(), r["init_resize"].toString());
        QCOMPARE(settings["seed"].toInteger(), r["seed"].toInteger());
    }

    // --settings FILE: a settings JSON (here a lumina case's request, wrapped as `inspect --json` prints it)
    // is the base of the run, and explicit flags override it; a broken file is a usage error naming it.
    void settingsFileReproducesARun() {
        QJsonObject request;
        for (const auto c : m_cases["lumina_cases"].toArray())
            if (c.toObject()["name"].toString() == "native_euler_5")
                request = c.toObject()["request"].toObject();
        QVERIFY(!request.isEmpty());
        const QString file = m_dir.filePath("settings.json"),
                      latents = m_dir.filePath("from-settings.safetensors");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(QJsonObject{{"source", "lumina"}, {"settings", request}}).toJson());
        f.close();
        const auto r = cli({"generate", "--model", model(), "--settings", file, "--device", "cpu", "--quiet",
                            "--save-latents", latents});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto want = readF32(fixtures() + "/lumina_native_euler_5.safetensors", "latents");
        const double relL2 = relativeL2(readF32(latents, "latents").values, want.values);
        QVERIFY2(relL2 <= 1e-4, qPrintable(QString("latents rel L2 %1").arg(relL2)));
        const QString fewer = m_dir.filePath("fewer-steps.safetensors");
        const auto overridden = cli({"generate", "--model", model(), "--settings", file, "--steps", "2",
                                     "--device", "cpu", "--quiet", "--save-latents", fewer, "--json"});
        QVERIFY2(overridden.exitCode == 0, overridden.err.constData());
        QCOMPARE(QJsonDocument::fromJson(overridden.out).object()["settings"].toObject()["steps"].toInt(), 2);
        QVERIFY(relativeL2(readF32(fewer, "latents").values, want.values) > 1e-3);
        const QString broken = m_dir.filePath("broken-settings.json");
        QFile b(broken);
        QVERIFY(b.open(QIODevice::WriteOnly));
        b.write("{\"steps\": \"many\"}");
        b.close();
        const auto bad = cli({"generate", "--model", model(), "--settings", broken, "--json"});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(QString(bad.err).contains("broken-settings.json") && QString(bad.err).contains("steps"),
                 bad.err.constData());
    }

    void unreadableInitImageExitsThreeBeforeLoading() {
        const QString bad = m_dir.filePath("not-a-picture.png");
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("these bytes are no image");
        f.close();
        const auto r =
            cli({"generate", "--model", "/no/such/model", "--prompt", "x", "--init-image", bad, "--json"});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(QString(r.err).contains("not-a-picture.png") && QString(r.err).contains("cannot be read"),
                 r.err.constData());
    }

    // `inspect` on another tool's file (an A1111 `parameters` text chunk, written here in that tool's
    // format), on a picture without settings, and on bad paths.
    void inspectReadsOtherToolsAndSaysWhatItCannot() {
        QImage picture(16, 16, QImage::Format_RGB888);
        picture.fill(QColor(10, 20, 30));
        QImage a1111 = picture;
        a1111.setText("parameters",
                      "a castle on a hill, 城\nNegative prompt: fog\nSteps: 25, Sampler: Euler a, "
                      "CFG scale: 6.5, Seed: 1234, Size: 512x768, Model: sd15");
        const QString a1111File = m_dir.filePath("a1111.png"), plainFile = m_dir.filePath("plain.png");
        QVERIFY(a1111.save(a1111File));
        QVERIFY(picture.save(plainFile));

        const auto r = cli({"inspect", a1111File, "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j["source"].toString(), QString("a1111"));
        const auto settings = j["settings"].toObject();
        QCOMPARE(settings["prompt"].toString(), QString("a castle on a hill, 城"));
        QCOMPARE(settings["negative_prompt"].toString(), QString("fog"));
        QCOMPARE(settings["steps"].toInt(), 25);
        QCOMPARE(settings["seed"].toInteger(), 1234);
        QCOMPARE(settings["width"].toInt(), 512);
        QCOMPARE(settings["height"].toInt(), 768);
        QVERIFY(!j["unmapped"].toArray().isEmpty()); // the sampler and model have no counterpart here

        const auto text = cli({"inspect", a1111File});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("AUTOMATIC1111") && text.out.contains("a castle on a hill"),
                 text.out.constData());

        const auto plain = cli({"inspect", plainFile, "--json"});
        QCOMPARE(plain.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(plain.out).object()["source"].toString(), QString("none"));

        QCOMPARE(cli({"inspect", m_dir.filePath("absent.png")}).exitCode, 2);
        QCOMPARE(cli({"inspect"}).exitCode, 2);
        QCOMPARE(cli({"inspect", plainFile, a1111File}).exitCode, 2);
        const QString garbage = m_dir.filePath("garbage.png");
        QFile g(garbage);
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write("\x89PNG\r\n\x1a\n broken");
        g.close();
        const auto broken = cli({"inspect", garbage});
        QCOMPARE(broken.exitCode, 3);
        QVERIFY2(QString(broken.err).contains("garbage.png"), broken.err.constData());
    }

    void missingModelExitsThree() {
        const auto r =
            cli({"generate", "--model", m_dir.filePath("nothing-here"), "--prompt", "x", "--json"});
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(QString(r.err).trimmed().count('\n'), 0); // one clear line
    }

    void ctrlCStopsAndWritesNothing() {
        const QString png = m_dir.filePath("interrupted.png");
        QProcess p;
        p.setProcessChannelMode(QProcess::SeparateChannels);
        p.start(qEnvironmentVariable("LUMINA_CLI"),
                {"generate", "--model", model(), "--prompt", "x", "--width", "512", "--height", "512",
                 "--steps", "1000", "--device", "cpu", "--output", png});
        QVERIFY(p.waitForStarted());
        QByteArray err;
        QElapsedTimer timer;
        timer.start();
        while (!err.contains("step") && timer.elapsed() < 120000) {
            p.waitForReadyRead(1000);
            err += p.readAllStandardError();
        }
        QVERIFY2(err.contains("step"), err.constData());
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 130);
        QVERIFY(!QFileInfo::exists(png));
    }
};

QTEST_GUILESS_MAIN(TestGenerateCli)
#include "test_generate_cli.moc"
