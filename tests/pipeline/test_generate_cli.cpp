// `lumina-cli generate` as scripts use it: outputs, JSON, latents, exit codes, Ctrl-C.
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <csignal>

namespace {

QString model() {
    return qEnvironmentVariable("LUMINA_FIXTURES_DIR") + "/pipeline/pipeline";
}

struct Run {
    int exitCode = -1;
    QByteArray out, err;
};

Run cli(const QStringList& args, int timeoutMs = 300000) {
    QProcess p;
    p.start(qEnvironmentVariable("LUMINA_CLI"), args);
    p.waitForFinished(timeoutMs);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

QStringList tinyArgs(const QString& prompt = "a photo of a cat") {
    return {"generate", "--model", model(),   "--prompt", prompt,     "--width", "128",
            "--height", "128",     "--steps", "2",        "--device", "cpu",     "--quiet"};
}

} // namespace

class TestGenerateCli : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void everySamplerAndPresetWritesAnImage_data() {
        QTest::addColumn<QStringList>("extra");
        QTest::newRow("preset lumina") << QStringList{"--preset", "lumina"};
        QTest::newRow("preset diffusers") << QStringList{"--preset", "diffusers"};
        QTest::newRow("diffusers-euler") << QStringList{"--sampler", "diffusers-euler"};
        QTest::newRow("euler") << QStringList{"--sampler", "euler"};
        QTest::newRow("midpoint sigmoid") << QStringList{"--sampler", "midpoint", "--schedule", "sigmoid"};
        QTest::newRow("rk4 ntk") << QStringList{"--sampler", "rk4", "--rope-scaling", "ntk"};
        QTest::newRow("all-channel cfg") << QStringList{"--cfg-channels", "all", "--guidance", "6"};
    }
    void everySamplerAndPresetWritesAnImage() {
        QFETCH(QStringList, extra);
        const QString png =
            m_dir.filePath(QString("out_%1.png").arg(QTest::currentDataTag()).replace(' ', '_'));
        const auto r = cli(tinyArgs() + extra + QStringList{"--output", png, "--seed", "42", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(QFileInfo(png).size() > 0);
        const auto j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j["seed"].toInteger(), 42);
        QCOMPARE(j["settings"].toObject()["seed"].toInteger(), 42);
        QCOMPARE(j["settings"].toObject()["width"].toInt(), 128);
        QVERIFY(j["outputs"].toObject()["image"].toString().endsWith(".png"));
        QVERIFY(j.contains("timings_ms"));
    }

    void randomSeedIsRecordedAndLatentsSaved() {
        const QString latents = m_dir.filePath("latents.safetensors");
        const auto r = cli(tinyArgs() + QStringList{"--seed", "random", "--save-latents", latents, "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto j = QJsonDocument::fromJson(r.out).object();
        QVERIFY(j["seed"].isDouble());
        QFile f(latents);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        quint64 headerLength = 0;
        memcpy(&headerLength, bytes.constData(), 8);
        const auto header = QJsonDocument::fromJson(bytes.mid(8, static_cast<int>(headerLength))).object();
        const auto t = header["latents"].toObject();
        QCOMPARE(t["dtype"].toString(), QString("F32"));
        QCOMPARE(t["shape"].toArray(), (QJsonArray{1, 4, 16, 16}));
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
        int worst = 0;
        for (int y = 0; y < a.height(); ++y)
            for (int x = 0; x < a.width() * 3; ++x)
                worst = std::max(worst, std::abs(int(a.constScanLine(y)[x]) - int(b.constScanLine(y)[x])));
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
        QTest::newRow("vae tiling") << base + QStringList{"--vae-tiling", "sometimes"}
                                    << "vae-tiling must be one of auto|always|never";
        QTest::newRow("unknown option") << base + QStringList{"--colour", "red"} << "unknown option";
        QTest::newRow("no prompt") << QStringList{"generate", "--model", "/x", "--json"} << "--prompt";
    }
    void badArgumentsExitTwoBeforeLoading() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const auto r = cli(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString(r.err).contains(message, Qt::CaseInsensitive), r.err.constData());
        QVERIFY(r.out.isEmpty());
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
