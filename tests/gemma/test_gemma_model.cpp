// GemmaModel (C++) against transformers' GemmaModel and Gemma2Model: hidden_states[0], [1] and [-2] on the
// valid positions of left-padded, right-padded and unpadded batches, for MQA/GQA configs, both GELU variants
// and Gemma 2 (soft cap, query_pre_attn_scalar, sliding window shorter than the batch); loading rules (only
// layers 0..N-2, 'model.' prefix, sharded files) and bad folders.
//
// Mutation tried: Gemma's RMSNorm scaling by weight instead of (1 + weight): parity failed for every config.
// Gemma 2 mutation check: not yet run (planned: the soft cap left out, which g4_gemma2 must catch).
#include "core/io/safetensors_file.h"
#include "core/models/gemma/gemma_model.h"
#include "core/util/errors.h"

#include <QTemporaryDir>
#include <QtTest>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

using namespace lumina;
using models::GemmaConfig;
namespace fs = std::filesystem;

namespace {

fs::path fixtures() {
    const char* dir = std::getenv("LUMINA_FIXTURES_DIR");
    return fs::path(dir ? dir : "fixtures") / "gemma";
}

// Largest |a - b| over the positions where mask is 1.
double maxDiffValid(const at::Tensor& a, const at::Tensor& b, const at::Tensor& mask) {
    const auto valid = mask.to(torch::kBool).unsqueeze(-1).expand_as(a);
    return (a - b).abs().masked_select(valid).max().item<double>();
}

} // namespace

class TestGemmaModel : public QObject {
    Q_OBJECT
    nlohmann::json m_meta;

private slots:
    void initTestCase() {
        at::set_num_threads(1);
        std::ifstream in(fixtures() / "meta.json");
        QVERIFY2(in.good(), "meta.json missing: run the fixture_gemma test first");
        m_meta = nlohmann::json::parse(in);
    }

    void parity_data() {
        QTest::addColumn<QString>("name");
        for (const char* n : {"g1_tanh", "g2_exact", "g3_gqa", "g4_gemma2"})
            QTest::newRow(n) << n;
    }

    void parity() {
        QFETCH(QString, name);
        const auto key = name.toStdString();
        const auto& meta = m_meta["models"][key];
        const auto folder = fixtures() / key;
        // The installed transformers turns hidden_act "gelu" into tanh when it reads a file: so must we.
        const auto config = GemmaConfig::fromFile(folder / "config.json");
        QCOMPARE(config.activation == GemmaConfig::Activation::GeluTanh,
                 meta["config_hidden_act_after_load"].get<std::string>() == "gelu_pytorch_tanh");
        const auto activation = meta["exact_gelu"].get<bool>() ? GemmaConfig::Activation::GeluExact
                                                               : GemmaConfig::Activation::GeluTanh;
        io::LoadOptions options;
        options.dtype = torch::kFloat;
        const auto model = models::loadGemma(folder, options, activation);
        const int layers = meta["layers"].get<int>();
        QCOMPARE(int(model->layerList.size()), layers - 1); // the last layer is never built
        models::validateGemma(folder);

        const auto ref = io::SafetensorsFile::open(fixtures() / (key + ".reference.safetensors"));
        for (const char* side : {"left", "right", "full"}) {
            const std::string s = side;
            const auto ids = ref->tensor(s + ".ids");
            const auto mask = ref->tensor(s + ".mask");
            const auto states = model->hiddenStates(ids, mask, 1);
            const auto out = model->encode(ids, mask);
            QVERIFY(torch::isfinite(out).all().item<bool>()); // padded rows too
            QCOMPARE(out.sizes(), ref->tensor(s + ".hs_m2").sizes());
            const double d0 = maxDiffValid(states[0], ref->tensor(s + ".hs0"), mask);
            const double d1 = maxDiffValid(states[1], ref->tensor(s + ".hs1"), mask);
            const double d2 = maxDiffValid(out, ref->tensor(s + ".hs_m2"), mask);
            qInfo("%s %s: max |diff| hs0 %.3g hs1 %.3g hs[-2] %.3g (|ref| max %.3g)", key.c_str(), side, d0,
                  d1, d2, ref->tensor(s + ".hs_m2").abs().max().item<double>());
            QVERIFY(d0 <= 1e-6);
            QVERIFY(d1 <= 1e-6);
            QVERIFY(d2 <= 1e-6);
        }
    }

    void gemma2ConfigIsRead() {
        const auto c = GemmaConfig::fromFile(fixtures() / "g4_gemma2" / "config.json");
        QVERIFY(c.isGemma2());
        QCOMPARE(c.slidingLayers, (std::vector<bool>{true, false, true, false, true}));
        QCOMPARE(c.slidingWindow.value_or(0), int64_t(4));
        QCOMPARE(c.attnLogitSoftcap.value_or(0), 1.5);
        QCOMPARE(c.attentionScale(), 1.0 / std::sqrt(12.0));
        const auto g1 = GemmaConfig::fromFile(fixtures() / "g1_tanh" / "config.json");
        QVERIFY(!g1.isGemma2());
        QCOMPARE(g1.attentionScale(), 1.0 / std::sqrt(8.0));
        // Gemma 2 layers carry the feed-forward sandwich norms; Gemma layers do not.
        const auto model = models::loadGemma(fixtures() / "g4_gemma2", {});
        QVERIFY(model->layerList[0]->post_feedforward_layernorm);
        QVERIFY(!models::loadGemma(fixtures() / "g1_tanh", {})->layerList[0]->post_feedforward_layernorm);
    }

    void gemma2BadConfig() {
        QTemporaryDir dir;
        const fs::path folder = dir.path().toStdString();
        fs::copy(fixtures() / "g4_gemma2", folder, fs::copy_options::recursive);
        std::ifstream in(folder / "config.json");
        auto json = nlohmann::json::parse(in);
        in.close();
        json["layer_types"] = {"sliding_attention", "full_attention"}; // 5 layers
        std::ofstream(folder / "config.json") << json.dump();
        try {
            models::validateGemma(folder);
            QFAIL("a layer_types list of the wrong length was accepted");
        } catch (const ModelLoadError& e) {
            QVERIFY2(std::string(e.what()).find("layer_types") != std::string::npos, e.what());
        }
    }

    void activationSwitchMatters() {
        // Guards the test above: the two GELU variants must give different outputs on these weights.
        const auto folder = fixtures() / "g2_exact";
        io::LoadOptions options;
        const auto exact = models::loadGemma(folder, options, GemmaConfig::Activation::GeluExact);
        const auto tanh = models::loadGemma(folder, options, GemmaConfig::Activation::GeluTanh);
        const auto ref = io::SafetensorsFile::open(fixtures() / "g2_exact.reference.safetensors");
        const auto ids = ref->tensor("full.ids"), mask = ref->tensor("full.mask");
        QVERIFY((exact->encode(ids, mask) - tanh->encode(ids, mask)).abs().max().item<double>() > 1e-6);
    }

    void paddingSideGivesSameValidRows() {
        // The same rows padded on the other side: RoPE depends on position differences only, so the valid
        // outputs agree to rounding (the padding side is the tokenizer config's; docs/text.md).
        const auto model = models::loadGemma(fixtures() / "g1_tanh", {});
        const auto ref = io::SafetensorsFile::open(fixtures() / "g1_tanh.reference.safetensors");
        const auto ids = ref->tensor("left.ids"), mask = ref->tensor("left.mask");
        const auto left = model->encode(ids, mask);
        const int64_t l = ids.size(1);
        for (int64_t r = 0; r < ids.size(0); ++r) {
            const int64_t n = mask[r].sum().item<int64_t>();
            const auto rightIds = torch::zeros({1, l}, torch::kLong);
            const auto rightMask = torch::zeros({1, l}, torch::kLong);
            rightIds[0].slice(0, 0, n).copy_(ids[r].slice(0, l - n, l));
            rightMask[0].slice(0, 0, n).fill_(1);
            const auto right = model->encode(rightIds, rightMask);
            QVERIFY((left[r].slice(0, l - n, l) - right[0].slice(0, 0, n)).abs().max().item<double>() < 1e-5);
        }
    }

    void badInputs() {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        auto copyWithConfig = [&](const std::string& name, const std::function<void(nlohmann::json&)>& edit) {
            const fs::path to = root / name;
            fs::copy(fixtures() / "g1_tanh", to, fs::copy_options::recursive);
            std::ifstream in(to / "config.json");
            auto j = nlohmann::json::parse(in);
            in.close();
            edit(j);
            std::ofstream(to / "config.json") << j.dump();
            return to;
        };
        const auto wrongHidden = copyWithConfig("hidden", [](auto& j) { j["hidden_size"] = 40; });
        QVERIFY_THROWS_EXCEPTION(ModelLoadError, models::validateGemma(wrongHidden));
        QVERIFY_THROWS_EXCEPTION(ModelLoadError, models::loadGemma(wrongHidden, {}));
        const auto relu = copyWithConfig("relu", [](auto& j) { j["hidden_act"] = "relu"; });
        try {
            models::validateGemma(relu);
            QFAIL("no error");
        } catch (const ModelLoadError& e) {
            QVERIFY(std::string(e.what()).find("hidden_act") != std::string::npos);
        }
        const auto model = models::loadGemma(fixtures() / "g1_tanh", {});
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, model->encode(torch::full({1, 3}, 100000, torch::kLong),
                                                               torch::ones({1, 3}, torch::kLong)));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, model->encode(torch::ones({1, 3}, torch::kLong),
                                                               torch::ones({1, 4}, torch::kLong)));
    }

    void cuda() {
        if (!torch::cuda::is_available()) QSKIP("no CUDA device");
        io::LoadOptions options;
        options.device = torch::Device(torch::kCUDA, 0);
        const auto model = models::loadGemma(fixtures() / "g1_tanh", options);
        const auto ref = io::SafetensorsFile::open(fixtures() / "g1_tanh.reference.safetensors");
        const auto out = model->encode(ref->tensor("left.ids"), ref->tensor("left.mask")).cpu();
        const double d = maxDiffValid(out, ref->tensor("left.hs_m2"), ref->tensor("left.mask"));
        qInfo("CUDA fp32 max |diff| %.3g", d);
        QVERIFY(d < 1e-4);
    }
};

QTEST_GUILESS_MAIN(TestGemmaModel)
#include "test_gemma_model.moc"
