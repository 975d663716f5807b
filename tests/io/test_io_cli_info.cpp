// `lumina-cli info` on a tiny random LuminaPipeline written by diffusers' save_pretrained, and on damaged
// copies of it: exit 0 with exactly one JSON object, 3 with one clear stderr line, 2 for bad arguments.
#include "core/io/weight_set.h"
#include "io/io_safetensors_writer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <regex>

using namespace lumina;
namespace fs = std::filesystem;

namespace {

struct Result {
    int code = -1;
    QByteArray out, err;
};

Result runCli(const QStringList& args,
              const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(qEnvironmentVariable("LUMINA_CLI"), args);
    if (!p.waitForFinished(120000)) return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

fs::path fixture() {
    return fs::path(qEnvironmentVariable("LUMINA_FIXTURES_DIR").toStdString()) / "io_tiny_pipeline";
}

std::string readText(const fs::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

class TestIoCliInfo : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_copies = 0;

    // A private copy of the fixture to damage.
    fs::path copy() {
        const fs::path dst = fs::path(m_dir.path().toStdString()) / ("copy" + std::to_string(m_copies++));
        fs::copy(fixture(), dst, fs::copy_options::recursive);
        return dst;
    }
    void replaceInFile(const fs::path& p, const std::string& pattern, const std::string& replacement) {
        const auto text = std::regex_replace(readText(p), std::regex(pattern), replacement);
        test::writeText(p, text);
    }
    // Runs info on `folder`, expects exit 3 and one stderr line containing every part.
    void expectUnusable(const fs::path& folder, const QStringList& parts) {
        const auto r = runCli({"info", "--model", QString::fromStdString(folder.string()), "--json"});
        QCOMPARE(r.code, 3);
        QVERIFY2(r.out.isEmpty(), r.out.constData());
        const auto err = QString::fromUtf8(r.err).trimmed();
        QVERIFY2(!err.contains('\n'), qPrintable("more than one stderr line: " + err));
        for (const auto& part : parts)
            QVERIFY2(err.contains(part), qPrintable(QString("'%1' not in: %2").arg(part, err)));
    }

private slots:
    void jsonOnTinyPipeline() {
        const auto r = runCli({"info", "--model", QString::fromStdString(fixture().string()), "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        QJsonParseError error{};
        const auto doc = QJsonDocument::fromJson(r.out, &error); // the whole of stdout is one JSON object
        QVERIFY2(error.error == QJsonParseError::NoError && doc.isObject(), qPrintable(error.errorString()));
        const auto root = doc.object();
        QCOMPARE(root["pipeline_class"].toString(), QString("LuminaPipeline"));
        QCOMPARE(root["origin"].toString(), QString("folder"));
        const auto components = root["components"].toObject();
        QCOMPARE(components.keys(),
                 (QStringList{"scheduler", "text_encoder", "tokenizer", "transformer", "vae"}));
        QCOMPARE(components["transformer"]["class"].toString(), QString("LuminaNextDiT2DModel"));
        QCOMPARE(components["text_encoder"]["class"].toString(), QString("GemmaModel"));
        QCOMPARE(components["vae"]["class"].toString(), QString("AutoencoderKL"));
        QCOMPARE(components["scheduler"]["class"].toString(), QString("FlowMatchEulerDiscreteScheduler"));
        QVERIFY(components["tokenizer"]["class"].toString().startsWith("GemmaTokenizer"));
        double total = 0;
        for (const char* name : {"transformer", "text_encoder", "vae"}) {
            const auto c = components[name].toObject();
            // Parameter counts and sizes agree with the safetensors headers read independently here.
            const auto set = io::WeightSet::openFolder(fixture() / name);
            uint64_t params = 0;
            for (const auto& [_, e] : set.entries())
                params += static_cast<uint64_t>(e.info->numel());
            QCOMPARE(static_cast<uint64_t>(c["parameters"].toDouble()), params);
            QCOMPARE(static_cast<uint64_t>(c["tensors"].toDouble()),
                     static_cast<uint64_t>(set.entries().size()));
            QCOMPARE(static_cast<uint64_t>(c["file_bytes"].toDouble()), set.totalFileBytes());
            QCOMPARE(c["dtypes"].toObject().keys(), QStringList{"F32"});
            // Each model component went through its model module's own validation, not headers alone.
            QCOMPARE(c["validation"].toString(), QString("model"));
            total += c["parameters"].toDouble();
        }
        QCOMPARE(components["tokenizer"]["validation"].toString(), QString("model"));
        QCOMPARE(components["scheduler"]["validation"].toString(), QString("config"));
        QCOMPARE(root["total_parameters"].toDouble(), total);
        QCOMPARE(components["transformer"]["config_values"]["cross_attention_dim"].toInt(), 32);
        QVERIFY(components["tokenizer"]["config_values"]["vocab_size"].toInt() > 256);
    }
    void textOnTinyPipeline() {
        const auto r = runCli({"info", "--model", QString::fromStdString(fixture().string())});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto out = QString::fromUtf8(r.out);
        for (const char* part :
             {"LuminaPipeline at", "transformer", "LuminaNextDiT2DModel", "text_encoder", "GemmaModel", "vae",
              "AutoencoderKL", "tokenizer", "scheduler", "F32 x", "usable"})
            QVERIFY2(out.contains(part), qPrintable(QString("'%1' not in: %2").arg(part, out)));
    }
    void repoIdThroughHubCache() {
        // Lay the fixture out as huggingface_hub does: blobs/ plus a snapshot of relative symlinks.
        const fs::path cache = fs::path(m_dir.path().toStdString()) / "hub";
        const fs::path repo = cache / "models--Alpha-VLLM--Lumina-Next-SFT-diffusers";
        const fs::path snap = repo / "snapshots" / "0123abcd";
        int n = 0;
        for (const auto& e : fs::recursive_directory_iterator(fixture())) {
            if (!e.is_regular_file()) continue;
            const auto rel = fs::relative(e.path(), fixture());
            const auto blob = repo / "blobs" / ("blob" + std::to_string(n++));
            fs::create_directories(blob.parent_path());
            fs::copy_file(e.path(), blob);
            fs::create_directories((snap / rel).parent_path());
            fs::create_symlink(fs::relative(blob, (snap / rel).parent_path()), snap / rel);
        }
        test::writeText(repo / "refs" / "main", "0123abcd");
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("HF_HUB_CACHE", QString::fromStdString(cache.string()));
        auto r = runCli({"info", "--model", "Alpha-VLLM/Lumina-Next-SFT-diffusers", "--json"}, env);
        QVERIFY2(r.code == 0, r.err.constData());
        const auto root = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(root["origin"].toString(), QString("repo id in hub cache"));
        QCOMPARE(root["revision"].toString(), QString("0123abcd"));
        // A blob lost from the cache: the broken link is named.
        const auto link = snap / "vae" / "config.json";
        QVERIFY(fs::remove((link.parent_path() / fs::read_symlink(link)).lexically_normal()));
        r = runCli({"info", "--model", "Alpha-VLLM/Lumina-Next-SFT-diffusers"}, env);
        QCOMPARE(r.code, 3);
        QVERIFY2(r.err.contains("vae/config.json: broken symbolic link"), r.err.constData());
        // Not in the cache at all.
        r = runCli({"info", "--model", "someone/other-model"}, env);
        QCOMPARE(r.code, 3);
        QVERIFY2(r.err.contains("not in the Hugging Face cache"), r.err.constData());
    }
    void badArguments() {
        QCOMPARE(runCli({"info"}).code, 2);
        QCOMPARE(runCli({"info", "--model"}).code, 2);
        QCOMPARE(runCli({"info", "--model", "x", "--bogus"}).code, 2);
        QCOMPARE(runCli({"info", "positional"}).code, 2);
    }
    void anotherModelsFolder() {
        const auto dir = copy();
        test::writeText(dir / "model_index.json", R"({"_class_name":"StableDiffusionPipeline",
            "unet":["diffusers","UNet2DConditionModel"],"text_encoder":["transformers","CLIPTextModel"],
            "vae":["diffusers","AutoencoderKL"],"tokenizer":["transformers","CLIPTokenizer"],
            "scheduler":["diffusers","PNDMScheduler"]})");
        expectUnusable(dir, {"expected pipeline class LuminaPipeline", "found StableDiffusionPipeline",
                             "unet=UNet2DConditionModel"});
    }
    void truncatedWeights() {
        const auto dir = copy();
        const auto file = dir / "transformer" / "diffusion_pytorch_model.safetensors";
        fs::resize_file(file, fs::file_size(file) - 100);
        expectUnusable(dir,
                       {QString::fromStdString(file.string()), "not a valid safetensors file", "truncated"});
    }
    void emptyWeights() {
        const auto dir = copy();
        fs::resize_file(dir / "vae" / "diffusion_pytorch_model.safetensors", 0);
        expectUnusable(dir, {"vae/diffusion_pytorch_model.safetensors", "the file is empty"});
    }
    void missingConfig() {
        const auto dir = copy();
        fs::remove(dir / "vae" / "config.json");
        expectUnusable(dir, {"vae/config.json: file is missing"});
    }
    void configWithWrongType() {
        const auto dir = copy();
        replaceInFile(dir / "transformer" / "config.json", "\"hidden_size\": 32", "\"hidden_size\": \"32\"");
        expectUnusable(dir, {"transformer/config.json", "'hidden_size' must be an integer", "found \"32\""});
    }
    void configDisagreesWithWeights() {
        const auto dir = copy();
        replaceInFile(dir / "text_encoder" / "config.json", "\"vocab_size\": ([0-9]+)",
                      "\"vocab_size\": 9999");
        expectUnusable(dir, {"embed_tokens.weight", "text_encoder/config.json"});
    }
    void componentsDisagree() {
        const auto dir = copy();
        replaceInFile(dir / "transformer" / "config.json", "\"cross_attention_dim\": 32",
                      "\"cross_attention_dim\": 48");
        // Either the generic cross-check or the transformer's own validation refuses it, naming the config.
        expectUnusable(dir, {"transformer"});
    }
    void pickleOnlyComponent() {
        const auto dir = copy();
        fs::remove(dir / "text_encoder" / "model.safetensors");
        test::writeText(dir / "text_encoder" / "pytorch_model.bin", "not really a pickle");
        expectUnusable(dir, {"text_encoder", "pytorch_model.bin", "never opens them", "safetensors"});
    }
    void directoryWhereWeightsShouldBe() {
        const auto dir = copy();
        fs::remove(dir / "vae" / "diffusion_pytorch_model.safetensors");
        fs::create_directories(dir / "vae" / "diffusion_pytorch_model.safetensors");
        expectUnusable(dir, {"diffusion_pytorch_model.safetensors", "not a regular file"});
    }
    void missingTokenizerFile() {
        const auto dir = copy();
        fs::remove(dir / "tokenizer" / "tokenizer.json");
        expectUnusable(dir, {"tokenizer"});
    }
};

QTEST_GUILESS_MAIN(TestIoCliInfo)
#include "test_io_cli_info.moc"
