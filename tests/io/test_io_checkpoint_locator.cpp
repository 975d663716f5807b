// Finding a Lumina-Next pipeline: a diffusers folder, a hub cache entry (refs/main, snapshots, symlinks
// into blobs/), a repo id looked up through HF_HUB_CACHE / HF_HOME, and clear errors for everything else.
#include "core/io/checkpoint_locator.h"
#include "core/util/app_paths.h"
#include "core/util/errors.h"
#include "io/io_safetensors_writer.h"
#include "support/error_of.h"

#include <QTemporaryDir>
#include <QtTest>
#include <thread>

using namespace lumina;
using namespace lumina::test;
namespace fs = std::filesystem;

namespace {

const char* kLuminaIndex = R"({"_class_name":"LuminaPipeline","_diffusers_version":"0.30.0",
  "scheduler":["diffusers","FlowMatchEulerDiscreteScheduler"],"text_encoder":["transformers","GemmaModel"],
  "tokenizer":["transformers","GemmaTokenizerFast"],"transformer":["diffusers","LuminaNextDiT2DModel"],
  "vae":["diffusers","AutoencoderKL"]})";

const char* kSd15Index = R"({"_class_name":"StableDiffusionPipeline","_diffusers_version":"0.6.0",
  "feature_extractor":["transformers","CLIPImageProcessor"],"safety_checker":["stable_diffusion","StableDiffusionSafetyChecker"],
  "scheduler":["diffusers","PNDMScheduler"],"text_encoder":["transformers","CLIPTextModel"],
  "tokenizer":["transformers","CLIPTokenizer"],"unet":["diffusers","UNet2DConditionModel"],"vae":["diffusers","AutoencoderKL"]})";

void makePipeline(const fs::path& root, const std::string& index = kLuminaIndex) {
    writeText(root / "model_index.json", index);
    for (const char* c : {"transformer", "text_encoder", "vae", "tokenizer", "scheduler"})
        fs::create_directories(root / c);
}

// Sets environment variables for one test and restores them afterwards.
class EnvGuard {
public:
    explicit EnvGuard(std::initializer_list<std::pair<const char*, QString>> vars) {
        for (const char* name : {"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"}) {
            m_saved.emplace_back(name, qgetenv(name), qEnvironmentVariableIsSet(name));
            qunsetenv(name);
        }
        for (const auto& [name, value] : vars)
            qputenv(name, value.toUtf8());
    }
    ~EnvGuard() {
        for (const auto& [name, value, wasSet] : m_saved)
            wasSet ? qputenv(name, value) : qunsetenv(name);
    }

private:
    std::vector<std::tuple<const char*, QByteArray, bool>> m_saved;
};

// A hub cache entry like huggingface_hub writes it: files in blobs/, snapshots/<rev>/... symlinks to them.
fs::path makeHubEntry(const fs::path& cache, const std::string& repoFolder,
                      const std::vector<std::string>& revisions, const std::string& refMain) {
    const fs::path repo = cache / repoFolder;
    writeText(repo / "blobs" / "index-blob", kLuminaIndex);
    for (const auto& rev : revisions) {
        const fs::path snap = repo / "snapshots" / rev;
        fs::create_directories(snap);
        fs::create_symlink("../../blobs/index-blob", snap / "model_index.json");
        for (const char* c : {"transformer", "text_encoder", "vae", "tokenizer", "scheduler"}) {
            fs::create_directories(snap / c);
            writeText(repo / "blobs" / (rev + c), "{}");
            fs::create_symlink(fs::path("../../../blobs") / (rev + c), snap / c / "config.json");
        }
    }
    if (!refMain.empty()) writeText(repo / "refs" / "main", refMain + "\n");
    return repo;
}

} // namespace

class TestIoCheckpointLocator : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    fs::path path(const std::string& name) const { return fs::path(m_dir.path().toStdString()) / name; }

private slots:
    void findsPipelineFolder() {
        makePipeline(path("lumina"));
        const auto cp = io::locateCheckpoint(path("lumina").string());
        QCOMPARE(cp.root, path("lumina"));
        QCOMPARE(cp.pipelineClass, std::string("LuminaPipeline"));
        QCOMPARE(cp.origin, std::string("folder"));
        QCOMPARE(cp.components.size(), std::size_t(5));
        QCOMPARE(cp.component("transformer").className, std::string("LuminaNextDiT2DModel"));
        QCOMPARE(cp.component("text_encoder").library, std::string("transformers"));
        QCOMPARE(cp.component("vae").folder, path("lumina") / "vae");
        QVERIFY(loadErrorOf([&] { cp.component("unet"); }).contains("has no 'unet' component"));
    }
    void acceptsAliasesAndOptionalEntries() {
        std::string index = kLuminaIndex;
        index.replace(index.find("LuminaPipeline"), 14, "LuminaText2ImgPipeline");
        index.replace(index.find("GemmaModel"), 10, "GemmaForCausalLM");
        index.replace(index.find("GemmaTokenizerFast"), 18, "GemmaTokenizer");
        index.insert(index.size() - 1, R"(,"feature_extractor":[null,null])");
        makePipeline(path("alias"), index);
        const auto cp = io::locateCheckpoint(path("alias").string());
        QCOMPARE(cp.pipelineClass, std::string("LuminaText2ImgPipeline"));
        QCOMPARE(cp.component("text_encoder").className, std::string("GemmaForCausalLM"));
    }
    void refusesAnotherModelNamingClasses() {
        makePipeline(path("sd15"), kSd15Index);
        fs::create_directories(path("sd15/unet"));
        const auto msg = loadErrorOf([&] { io::locateCheckpoint(path("sd15").string()); });
        for (const char* part :
             {"model_index.json", "not a Lumina pipeline",
              "expected pipeline class LuminaPipeline or LuminaText2ImgPipeline",
              "found StableDiffusionPipeline", "unet=UNet2DConditionModel", "text_encoder=CLIPTextModel"})
            QVERIFY2(msg.contains(part), qPrintable(QString("'%1' not in: %2").arg(part, msg)));
    }
    void refusesWrongComponentClasses() {
        std::string index = kLuminaIndex;
        index.replace(index.find("\"GemmaModel\""), 12, "\"CLIPTextModel\"");
        index.replace(index.find("\"AutoencoderKL\""), 15, "\"AutoencoderTiny\"");
        makePipeline(path("wrongparts"), index);
        const auto msg = loadErrorOf([&] { io::locateCheckpoint(path("wrongparts").string()); });
        QVERIFY2(
            msg.contains(
                "component 'text_encoder' has class CLIPTextModel, expected GemmaModel or GemmaForCausalLM"),
            qPrintable(msg));
        QVERIFY2(msg.contains("component 'vae' has class AutoencoderTiny, expected AutoencoderKL"),
                 qPrintable(msg));
    }
    void missingComponentAndFolder() {
        std::string index = kLuminaIndex;
        const auto at = index.rfind(',', index.find("\"vae\""));
        index.erase(at, index.find(']', at) - at + 1);
        makePipeline(path("novae"), index);
        auto msg = loadErrorOf([&] { io::locateCheckpoint(path("novae").string()); });
        QVERIFY2(msg.contains("component 'vae' is missing (expected AutoencoderKL)"), qPrintable(msg));
        makePipeline(path("nofolder"));
        fs::remove_all(path("nofolder/scheduler"));
        msg = loadErrorOf([&] { io::locateCheckpoint(path("nofolder").string()); });
        QVERIFY2(msg.contains("component folder") && msg.contains("scheduler is missing"), qPrintable(msg));
        makePipeline(path("fileinstead"));
        fs::remove_all(path("fileinstead/tokenizer"));
        writeText(path("fileinstead/tokenizer"), "x");
        msg = loadErrorOf([&] { io::locateCheckpoint(path("fileinstead").string()); });
        QVERIFY2(msg.contains("tokenizer is not a folder"), qPrintable(msg));
    }
    void badModelIndex_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("invalid JSON") << "{\"_class_name\": "
                                      << "invalid JSON";
        QTest::newRow("not an object") << "[\"LuminaPipeline\"]"
                                       << "expected a JSON object";
        QTest::newRow("entry not a pair") << R"({"_class_name":"LuminaPipeline","vae":"AutoencoderKL"})"
                                          << "key 'vae' must be a [library, class] pair";
        QTest::newRow("class not a string") << R"({"_class_name":5})"
                                            << "key '_class_name' must be a string";
        QTest::newRow("no class name") << R"({"vae":["diffusers","AutoencoderKL"]})"
                                       << "found no _class_name";
    }
    void badModelIndex() {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const auto root = path("badindex_" + std::to_string(qHash(text)));
        makePipeline(root, text.toStdString());
        const auto msg = loadErrorOf([&] { io::locateCheckpoint(root.string()); });
        QVERIFY2(msg.contains("model_index.json") && msg.contains(expected), qPrintable(msg));
    }
    void notAPipelineFolder() {
        fs::create_directories(path("plain"));
        auto msg = loadErrorOf([&] { io::locateCheckpoint(path("plain").string()); });
        QVERIFY2(msg.contains("has no model_index.json"), qPrintable(msg));
        makePipeline(path("parent"));
        writeText(path("parent/transformer/config.json"), "{}");
        msg = loadErrorOf([&] { io::locateCheckpoint(path("parent/transformer").string()); });
        QVERIFY2(msg.contains("one component of a pipeline; pass its parent folder"), qPrintable(msg));
        writeText(path("afile.safetensors"), "x");
        msg = loadErrorOf([&] { io::locateCheckpoint(path("afile.safetensors").string()); });
        QVERIFY2(msg.contains("is a file"), qPrintable(msg));
        msg = loadErrorOf([&] { io::locateCheckpoint(path("missing/folder/deep").string()); });
        QVERIFY2(msg.contains("no such folder, and not a repo id"), qPrintable(msg));
        QVERIFY(loadErrorOf([&] { io::locateCheckpoint(""); }).contains("no model given"));
        fs::create_symlink(path("nowhere"), path("dangling"));
        QVERIFY(loadErrorOf([&] {
                    io::locateCheckpoint(path("dangling").string());
                }).contains("broken symbolic link"));
    }
    void brokenModelIndexLink() {
        makePipeline(path("brokenlink"));
        fs::remove(path("brokenlink/model_index.json"));
        fs::create_symlink("../blobs/gone", path("brokenlink/model_index.json"));
        const auto msg = loadErrorOf([&] { io::locateCheckpoint(path("brokenlink").string()); });
        QVERIFY2(msg.contains("model_index.json: broken symbolic link"), qPrintable(msg));
    }

    // ---- Hugging Face hub cache ----
    void hubCacheFollowsEnvironment() {
        {
            EnvGuard env{{"HF_HUB_CACHE", "/x/hub"}, {"HF_HOME", "/y"}};
            QCOMPARE(lumina::huggingFaceHubCache(), fs::path("/x/hub"));
        }
        {
            EnvGuard env{{"HF_HOME", "/y"}, {"XDG_CACHE_HOME", "/z"}};
            QCOMPARE(lumina::huggingFaceHubCache(), fs::path("/y/hub"));
        }
        {
            EnvGuard env{{"XDG_CACHE_HOME", "/z"}};
            QCOMPARE(lumina::huggingFaceHubCache(), fs::path("/z/huggingface/hub"));
        }
        {
            EnvGuard env{};
            QCOMPARE(lumina::huggingFaceHubCache(),
                     fs::path(qgetenv("HOME").toStdString()) / ".cache/huggingface/hub");
        }
    }
    void repoIdResolvesThroughRefsMain() {
        const auto cache = path("hf_home/hub");
        makeHubEntry(cache, "models--Alpha-VLLM--Lumina-Next-SFT-diffusers", {"aaa111", "bbb222"}, "aaa111");
        EnvGuard env{{"HF_HOME", QString::fromStdString(path("hf_home").string())}};
        const auto cp = io::locateCheckpoint("Alpha-VLLM/Lumina-Next-SFT-diffusers");
        QCOMPARE(cp.root, cache / "models--Alpha-VLLM--Lumina-Next-SFT-diffusers/snapshots/aaa111");
        QCOMPARE(cp.revision, std::string("aaa111"));
        QCOMPARE(cp.origin, std::string("repo id in hub cache"));
        QCOMPARE(cp.pipelineClass, std::string("LuminaPipeline"));
        // Component folders live in the snapshot; their files are links into blobs/.
        QVERIFY(fs::is_symlink(cp.component("vae").folder / "config.json"));
        QVERIFY(fs::exists(cp.component("vae").folder / "config.json"));
        // The repo folder itself is accepted as well.
        const auto viaFolder =
            io::locateCheckpoint((cache / "models--Alpha-VLLM--Lumina-Next-SFT-diffusers").string());
        QCOMPARE(viaFolder.revision, std::string("aaa111"));
        QCOMPARE(viaFolder.origin, std::string("hub cache folder"));
        // And the snapshot folder is a plain pipeline folder.
        QCOMPARE(io::locateCheckpoint(cp.root.string()).root, cp.root);
    }
    void newestSnapshotWithoutRefs() {
        const auto cache = path("hub_norefs");
        const auto repo = makeHubEntry(cache, "models--org--model", {"old", "new", "mid"}, "");
        const auto now = fs::file_time_type::clock::now();
        fs::last_write_time(repo / "snapshots/old", now - std::chrono::hours(48));
        fs::last_write_time(repo / "snapshots/mid", now - std::chrono::hours(24));
        fs::last_write_time(repo / "snapshots/new", now);
        EnvGuard env{{"HF_HUB_CACHE", QString::fromStdString(cache.string())}};
        const auto cp = io::locateCheckpoint("org/model");
        QCOMPARE(cp.revision, std::string("new"));
        // A single snapshot is used whatever its age.
        makeHubEntry(cache, "models--org--single", {"only"}, "");
        QCOMPARE(io::locateCheckpoint("org/single").revision, std::string("only"));
    }
    void hubCacheErrors() {
        const auto cache = path("hub_bad");
        EnvGuard env{{"HF_HUB_CACHE", QString::fromStdString(cache.string())}};
        auto msg = loadErrorOf([&] { io::locateCheckpoint("Alpha-VLLM/Lumina-Next-SFT-diffusers"); });
        QVERIFY2(msg.contains("not in the Hugging Face cache") &&
                     msg.contains(QString::fromStdString(
                         (cache / "models--Alpha-VLLM--Lumina-Next-SFT-diffusers").string())) &&
                     msg.contains("HF_HUB_CACHE"),
                 qPrintable(msg));
        makeHubEntry(cache, "models--org--stale", {"aaa"}, "bbb");
        msg = loadErrorOf([&] { io::locateCheckpoint("org/stale"); });
        QVERIFY2(msg.contains("refs/main: names revision bbb") && msg.contains("is missing"),
                 qPrintable(msg));
        fs::create_directories(cache / "models--org--empty/snapshots");
        msg = loadErrorOf([&] { io::locateCheckpoint("org/empty"); });
        QVERIFY2(msg.contains("snapshots: is empty"), qPrintable(msg));
        // A blob deleted under a snapshot: the link is named as broken.
        const auto repo = makeHubEntry(cache, "models--org--broken", {"rev"}, "rev");
        fs::remove(repo / "blobs/index-blob");
        msg = loadErrorOf([&] { io::locateCheckpoint("org/broken"); });
        QVERIFY2(msg.contains("model_index.json: broken symbolic link"), qPrintable(msg));
        // A repo id with path tricks is not looked up.
        msg = loadErrorOf([&] { io::locateCheckpoint("../no-such-dir-xyz"); });
        QVERIFY2(msg.contains("not a repo id"), qPrintable(msg));
    }
};

QTEST_GUILESS_MAIN(TestIoCheckpointLocator)
#include "test_io_checkpoint_locator.moc"
