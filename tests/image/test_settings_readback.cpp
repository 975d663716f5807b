// Settings read back from images: ours in every format we write, and AUTOMATIC1111, ComfyUI and SwarmUI
// examples written here in those tools' documented layouts (PNG text keys, field order, JSON quoting,
// non-ASCII text); malformed and hostile metadata gives problem sentences, never a crash; a seeded mutation
// run over the parsers.
//
// Mutation tried: a1111Pairs without the quoted-value branch (values split at the comma inside "Lora
// hashes"): a1111ParametersAreRestored failed (the unmapped list held "style: 9c9d\"" as its own pair).
#include "core/image/image_export.h"
#include "core/image/png_codec.h"
#include "core/image/settings_readback.h"
#include "core/pipeline/request.h"
#include "core/util/errors.h"

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <random>
#include <set>

using namespace lumina::image;
namespace fs = std::filesystem;

namespace {

const std::string kPrompt = "a \"quoted\" cat, café 猫, ねこ\nsecond line";

// An 8x8 PNG carrying `texts` (tEXt for Latin-1 text as the tools write it, else iTXt).
fs::path pngWith(const QTemporaryDir& dir, const std::string& name, const std::vector<PngText>& texts) {
    Rgb8Image img{8, 8, std::vector<uint8_t>(8 * 8 * 3, 128)};
    const auto bytes = insertPngText(encodePng(img), texts);
    const auto path = fs::path(dir.path().toStdString()) / name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return path;
}

bool contains(const std::vector<std::string>& list, const std::string& part) {
    for (const auto& s : list)
        if (s.find(part) != std::string::npos) return true;
    return false;
}

std::string joined(const std::vector<std::string>& list) {
    std::string s;
    for (const auto& x : list)
        s += x + " | ";
    return s;
}

// A1111's infotext as modules/processing.py create_infotext writes it: prompt, "Negative prompt: ...", then
// one line of "Key: value" pairs; values with commas or colons JSON-quoted.
const std::string kA1111 =
    kPrompt + "\nNegative prompt: blurry, lowres\n"
              "Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 3141592653, "
              "Size: 832x1216, Model hash: 1a2b3c4d, Model: sdxl_base, Lora hashes: \"detail: 8a8b, "
              "style: 9c9d\", Version: v1.10.1";

// ComfyUI's API graph (the `prompt` PNG text): node id -> {inputs, class_type}; links are [node id, slot].
nlohmann::json comfyPrompt() {
    return nlohmann::json::parse(
        "{\n"
        " \"3\": {\"inputs\": {\"seed\": 156680208700286, \"steps\": 20, \"cfg\": 8.0, \"sampler_name\": "
        "\"euler\", \"scheduler\": \"normal\",\n"
        "       \"denoise\": 1.0, \"model\": [\"4\", 0], \"positive\": [\"6\", 0], \"negative\": [\"7\", 0], "
        "\"latent_image\": [\"5\", 0]},\n"
        "       \"class_type\": \"KSampler\", \"_meta\": {\"title\": \"KSampler\"}},\n"
        " \"4\": {\"inputs\": {\"ckpt_name\": \"v1-5-pruned-emaonly.safetensors\"}, \"class_type\": "
        "\"CheckpointLoaderSimple\"},\n"
        " \"5\": {\"inputs\": {\"width\": 768, \"height\": 512, \"batch_size\": 1}, \"class_type\": "
        "\"EmptyLatentImage\"},\n"
        " \"6\": {\"inputs\": {\"text\": \"a \\\"quoted\\\" cat, café 猫, ねこ\\nsecond line\", \"clip\": "
        "[\"4\", 1]},\n"
        "       \"class_type\": \"CLIPTextEncode\"},\n"
        " \"7\": {\"inputs\": {\"text\": \"text, watermark\", \"clip\": [\"4\", 1]}, \"class_type\": "
        "\"CLIPTextEncode\"},\n"
        " \"8\": {\"inputs\": {\"samples\": [\"3\", 0], \"vae\": [\"4\", 2]}, \"class_type\": "
        "\"VAEDecode\"},\n"
        " \"9\": {\"inputs\": {\"filename_prefix\": \"ComfyUI\", \"images\": [\"8\", 0]}, \"class_type\": "
        "\"SaveImage\"}\n"
        "}");
}

// ComfyUI's UI graph (the `workflow` PNG text): nodes with widgets_values, links [id, from, slot, to, slot,
// type].
nlohmann::json comfyWorkflow() {
    return nlohmann::json::parse(
        "{\n"
        " \"last_node_id\": 9, \"last_link_id\": 9,\n"
        " \"nodes\": [\n"
        "  {\"id\": 3, \"type\": \"KSampler\", \"inputs\": [{\"name\": \"model\", \"type\": \"MODEL\", "
        "\"link\": 1},\n"
        "     {\"name\": \"positive\", \"type\": \"CONDITIONING\", \"link\": 4}, {\"name\": \"negative\", "
        "\"type\": \"CONDITIONING\", \"link\": 6},\n"
        "     {\"name\": \"latent_image\", \"type\": \"LATENT\", \"link\": 2}],\n"
        "   \"widgets_values\": [42, \"randomize\", 25, 7.5, \"dpmpp_2m\", \"karras\", 1]},\n"
        "  {\"id\": 5, \"type\": \"EmptyLatentImage\", \"widgets_values\": [1024, 768, 1]},\n"
        "  {\"id\": 10, \"type\": \"Reroute\", \"inputs\": [{\"name\": \"\", \"type\": \"*\", \"link\": "
        "3}]},\n"
        "  {\"id\": 6, \"type\": \"CLIPTextEncode\", \"widgets_values\": [\"ein Hund im Schnee, "
        "雪の中の犬\"]},\n"
        "  {\"id\": 7, \"type\": \"CLIPTextEncode\", \"widgets_values\": [\"blurry\"]}\n"
        " ],\n"
        " \"links\": [[2, 5, 0, 3, 3, \"LATENT\"], [3, 6, 0, 10, 0, \"CONDITIONING\"], [4, 10, 0, 3, 1, "
        "\"CONDITIONING\"],\n"
        "           [6, 7, 0, 3, 2, \"CONDITIONING\"]]\n"
        "}");
}

// SwarmUI's `parameters` PNG text: {"sui_image_params": {...}, "sui_extra_data": {...}}.
nlohmann::json swarm() {
    return nlohmann::json::parse(
        "{\n"
        " \"sui_image_params\": {\"prompt\": \"a lighthouse, 灯台 \\\"at dusk\\\"\", \"negativeprompt\": "
        "\"fog\", \"model\": \"Lumina-Next-SFT\",\n"
        "   \"seed\": 1234567, \"steps\": 30, \"cfgscale\": 4.0, \"aspectratio\": \"Custom\", \"width\": "
        "1536, \"height\": 1024,\n"
        "   \"sampler\": \"midpoint\", \"scheduler\": \"normal\", \"swarm_version\": \"0.9.5.2\"},\n"
        " \"sui_extra_data\": {\"date\": \"2025-01-01\", \"generation_time\": \"1.00 (prep) and 20.00 (gen) "
        "seconds\"}\n"
        "}");
}

} // namespace

class TestSettingsReadback : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    // The keys the reader restores from our JSON are exactly the ones the request writes (plus the two legacy
    // load keys it still reads past): a new request setting that the reader does not know fails here.
    void ourKeysAreTheRequestsKeys() {
        lumina::pipeline::GenerationRequest r;
        r.seed = 7;
        r.initImage.path = "x.png";
        r.initImage.galleryItem = 3;
        std::set<std::string> written;
        const nlohmann::json json = lumina::pipeline::toJson(r); // items() must not outlive it
        for (const auto& [key, value] : json.items())
            written.insert(key);
        // Lumina-Image 2.0 settings appear only for that family.
        r.family = lumina::ModelFamily::Lumina2;
        r.preset = "diffusers";
        r.loras = {{"style.safetensors", 0.8}};
        const nlohmann::json lumina2 = lumina::pipeline::toJson(r);
        for (const auto& [key, value] : lumina2.items())
            written.insert(key);
        std::set<std::string> restored = luminaSettingsKeys();
        QVERIFY(restored.erase("device") == 1 && restored.erase("dtype") == 1);
        QVERIFY(written == restored);
    }

    void oursInEveryFormatWeWrite_data() {
        QTest::addColumn<QString>("extension");
        for (const auto& ext : supportedExtensions())
            QTest::newRow(ext.c_str()) << QString::fromStdString(ext);
    }
    void oursInEveryFormatWeWrite() {
#ifndef LUMINA_WITH_OIIO
        QSKIP("built without OpenImageIO: only PNG is written");
#endif
        QFETCH(QString, extension);
        FloatImage img{16, 16, std::vector<float>(16 * 16 * 3, 0.25f)};
        const nlohmann::json settings{{"prompt", kPrompt},
                                      {"negative_prompt", "blurry"},
                                      {"seed", 42},
                                      {"steps", 12},
                                      {"width", 1024},
                                      {"height", 768},
                                      {"sampler", "midpoint"},
                                      {"strength", 0.45},
                                      {"init_image", "/pictures/fjord.png"},
                                      {"result", {{"seed", 42}}}};
        const auto path = fs::path(m_dir.path().toStdString()) / ("ours" + extension.toStdString());
        writeImage(img, path, {}, settings);
        const auto r = readSettingsFromImage(path);
        QCOMPARE(r.source, std::string("lumina"));
        QCOMPARE(r.settings["prompt"].get<std::string>(), kPrompt);
        QCOMPARE(r.settings["seed"].get<int>(), 42);
        QCOMPARE(r.settings["strength"].get<double>(), 0.45);
        QVERIFY2(r.problems.empty(), joined(r.problems).c_str());
        QVERIFY(!r.settings.contains("result"));
    }

    void a1111ParametersAreRestored() {
        const auto r = readSettingsFromImage(pngWith(m_dir, "a1111.png", {{"parameters", kA1111}}));
        QCOMPARE(r.source, std::string("a1111"));
        QCOMPARE(r.settings["prompt"].get<std::string>(), kPrompt);
        QCOMPARE(r.settings["negative_prompt"].get<std::string>(), std::string("blurry, lowres"));
        QCOMPARE(r.settings["steps"].get<int>(), 28);
        QCOMPARE(r.settings["guidance"].get<double>(), 6.5);
        QCOMPARE(r.settings["seed"].get<uint64_t>(), uint64_t{3141592653});
        QCOMPARE(r.settings["width"].get<int>(), 832);
        QCOMPARE(r.settings["height"].get<int>(), 1216);
        QVERIFY(!r.settings.contains("sampler"));
        QVERIFY2(contains(r.unmapped, "Sampler: DPM++ 2M"), joined(r.unmapped).c_str());
        QVERIFY2(contains(r.unmapped, "Lora hashes: detail: 8a8b, style: 9c9d"), joined(r.unmapped).c_str());
        QVERIFY(contains(r.unmapped, "Model: sdxl_base"));
        QCOMPARE(r.unmapped.size(), size_t{6});
        QVERIFY2(r.problems.empty(), joined(r.problems).c_str());
        // Without a parameter line everything is prompt.
        const auto plain = parseA1111Parameters("just a prompt, with: a colon");
        QCOMPARE(plain.source, std::string("a1111"));
        QCOMPARE(plain.settings["prompt"].get<std::string>(), std::string("just a prompt, with: a colon"));
    }

    void comfyPromptGraphIsRestored() {
        const auto path = pngWith(m_dir, "comfy.png",
                                  {{"prompt", comfyPrompt().dump()}, {"workflow", comfyWorkflow().dump()}});
        const auto r = readSettingsFromImage(path);
        QCOMPARE(r.source, std::string("comfyui"));
        QCOMPARE(r.settings["prompt"].get<std::string>(), kPrompt);
        QCOMPARE(r.settings["negative_prompt"].get<std::string>(), std::string("text, watermark"));
        QCOMPARE(r.settings["seed"].get<uint64_t>(), uint64_t{156680208700286});
        QCOMPARE(r.settings["steps"].get<int>(), 20);
        QCOMPARE(r.settings["guidance"].get<double>(), 8.0);
        QCOMPARE(r.settings["sampler"].get<std::string>(), std::string("euler"));
        QCOMPARE(r.settings["width"].get<int>(), 768);
        QCOMPARE(r.settings["height"].get<int>(), 512);
        QVERIFY(contains(r.unmapped, "scheduler: \"normal\"") || contains(r.unmapped, "scheduler: normal"));
        QVERIFY(contains(r.unmapped, "v1-5-pruned-emaonly"));
        QVERIFY2(r.problems.empty(), joined(r.problems).c_str());
    }

    void comfyWorkflowAloneIsRestored() {
        const auto r = parseComfyUI("", comfyWorkflow().dump());
        QCOMPARE(r.source, std::string("comfyui"));
        QCOMPARE(r.settings["prompt"].get<std::string>(), std::string("ein Hund im Schnee, 雪の中の犬"));
        QCOMPARE(r.settings["negative_prompt"].get<std::string>(), std::string("blurry"));
        QCOMPARE(r.settings["seed"].get<int>(), 42);
        QCOMPARE(r.settings["steps"].get<int>(), 25);
        QCOMPARE(r.settings["guidance"].get<double>(), 7.5);
        QCOMPARE(r.settings["width"].get<int>(), 1024);
        QCOMPARE(r.settings["height"].get<int>(), 768);
        QVERIFY(contains(r.unmapped, "dpmpp_2m"));
        QVERIFY2(r.problems.empty(), joined(r.problems).c_str());
    }

    void swarmParametersAreRestored() {
        const auto r = readSettingsFromImage(pngWith(m_dir, "swarm.png", {{"parameters", swarm().dump()}}));
        QCOMPARE(r.source, std::string("swarmui"));
        QCOMPARE(r.settings["prompt"].get<std::string>(), std::string("a lighthouse, 灯台 \"at dusk\""));
        QCOMPARE(r.settings["negative_prompt"].get<std::string>(), std::string("fog"));
        QCOMPARE(r.settings["seed"].get<int>(), 1234567);
        QCOMPARE(r.settings["steps"].get<int>(), 30);
        QCOMPARE(r.settings["width"].get<int>(), 1536);
        QCOMPARE(r.settings["sampler"].get<std::string>(), std::string("midpoint"));
        QVERIFY(contains(r.unmapped, "SwarmUI model: Lumina-Next-SFT"));
        QVERIFY(contains(r.unmapped, "sui_extra_data"));
    }

    void noSettingsIsSaidPlainly() {
        const auto r = readSettingsFromImage(pngWith(m_dir, "none.png", {{"Software", "GIMP"}}));
        QVERIFY(!r.recognized());
        QVERIFY(r.settings.empty());
        QVERIFY_THROWS_EXCEPTION(lumina::IoError,
                                 readSettingsFromImage(fs::path(m_dir.path().toStdString()) / "x"));
    }

    void hostileMetadataGivesProblemsNotCrashes() {
        // Huge text.
        const std::string huge(kMaxMetadataText + 10, 'a');
        auto r = parseA1111Parameters(huge);
        QVERIFY(!r.recognized() && contains(r.problems, "MiB"));
        QVERIFY(contains(parseComfyUI(huge, "").problems, "MiB"));
        // Bad JSON, and a JSON that nests a hundred thousand levels deep.
        QVERIFY(contains(parseComfyUI("{\"3\": {\"inputs\": ", "").problems, "not valid JSON"));
        QVERIFY(contains(parseSwarmUI(std::string(100000, '[')).problems, "nests deeper"));
        // A graph with a loop: the positive prompt goes 6 -> 7 -> 6.
        auto loop = comfyPrompt();
        loop["6"]["inputs"] = {{"conditioning", {"7", 0}}};
        loop["7"]["inputs"] = {{"conditioning", {"6", 0}}};
        loop["7"]["class_type"] = "ConditioningCombine";
        r = parseComfyUI(loop.dump(), "");
        QVERIFY2(contains(r.problems, "loops back"), joined(r.problems).c_str());
        QVERIFY(!r.settings.contains("prompt"));
        QCOMPARE(r.settings["steps"].get<int>(), 20); // the rest still restores
        // Links to nodes that do not exist, wrong types everywhere.
        auto wrong = comfyPrompt();
        wrong["3"]["inputs"]["steps"] = "many";
        wrong["3"]["inputs"]["seed"] = -5;
        wrong["3"]["inputs"]["cfg"] = nlohmann::json::array({1, 2});
        wrong["3"]["inputs"]["latent_image"] = {"99", 0};
        wrong["6"]["inputs"]["text"] = 12;
        r = parseComfyUI(wrong.dump(), "");
        QVERIFY2(r.problems.size() >= 5, joined(r.problems).c_str());
        QVERIFY(!r.settings.contains("steps") && !r.settings.contains("seed") &&
                !r.settings.contains("width"));
        QVERIFY(contains(parseComfyUI("[1, 2, 3]", "").problems, "not an object"));
        QVERIFY(contains(parseComfyUI("{\"1\": 5}", "").problems, "no KSampler"));
        auto swarmWrong = swarm();
        swarmWrong["sui_image_params"]["width"] = "wide";
        swarmWrong["sui_image_params"]["prompt"] = nlohmann::json::object();
        r = parseSwarmUI(swarmWrong.dump());
        QVERIFY(contains(r.problems, "SwarmUI width") && contains(r.problems, "SwarmUI prompt"));
        // Invalid UTF-8 in A1111 text.
        r = parseA1111Parameters("caf\xe9 cat\nSteps: 20, Seed: 1, CFG scale: 5");
        QVERIFY(contains(r.problems, "UTF-8"));
        QCOMPARE(r.settings["steps"].get<int>(), 20);
        r = parseA1111Parameters("p\nSteps: 20, Seed: -3, Size: 12x, CFG scale: nan");
        QVERIFY2(r.problems.size() == 3, joined(r.problems).c_str());
        QVERIFY(contains(parseLuminaSettings("[]").problems, "not an object"));
    }

    // Seeded mutations of the examples (byte flips, cuts, duplications) through every parser: each run must
    // return (the sanitizer build of tests/fuzz runs the same parsers under libFuzzer).
    void mutatedInputsNeverCrash() {
        const std::vector<std::string> seeds{kA1111, comfyPrompt().dump(), comfyWorkflow().dump(),
                                             swarm().dump()};
        std::mt19937 rng(20240601);
        int recognized = 0;
        for (int i = 0; i < 3000; ++i) {
            std::string s = seeds[static_cast<std::size_t>(i) % seeds.size()];
            const int edits = 1 + static_cast<int>(rng() % 8);
            for (int e = 0; e < edits && !s.empty(); ++e) {
                const std::size_t at = rng() % s.size();
                switch (rng() % 4) {
                case 0:
                    s[at] = static_cast<char>(rng() % 256);
                    break;
                case 1:
                    s.erase(at, rng() % 16);
                    break;
                case 2:
                    s.insert(at, s.substr(rng() % s.size(), rng() % 32));
                    break;
                default:
                    s.insert(at, 1, "[]{}\",:\\\n"[rng() % 9]);
                    break;
                }
            }
            recognized += parseA1111Parameters(s).recognized();
            recognized += parseComfyUI(s, s).recognized();
            recognized += parseSwarmUI(s).recognized();
            recognized += parseLuminaSettings(s).recognized();
            for (const auto& r : {parseComfyUI(s, ""), parseComfyUI("", s), parseSwarmUI(s)})
                (void)r.settings.dump(); // whatever was restored serializes
        }
        QVERIFY(recognized > 0);
    }
};

QTEST_GUILESS_MAIN(TestSettingsReadback)
#include "test_settings_readback.moc"
