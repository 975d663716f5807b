// Parity of the LibTorch Lumina-Image 2.0 transformer with diffusers' Lumina2Transformer2DModel on the
// fixtures written by tests/python/make_lumina2_transformer_fixtures.py (RoPE tables, forward in fp32 and
// bf16 with two prompts of different caption lengths, non-square latents, GQA), the cached-caption path, the
// published transformer's key/shape set, and loading errors.
//
// Mutations tried (each made the named tests fail, then was restored):
// - image tokens' caption-axis position 0 instead of the caption length (Lumina2RoPE::image):
//   ropeMatchesReferenceBitwise, and fullForwardMatchesFp32 / bf16MatchesBf16Reference on every case.
// - no joint key mask when caption lengths differ (Lumina2TransformerImpl::forward): fullForwardMatchesFp32
//   failed on cfg_padding_nonsquare, left_padding_mixed and gqa4_padding_nonsquare (rel L2 2-6e-2).
// - RoPE tables in fp32 instead of the reference's float64 (Lumina2RoPE constructor):
// ropeMatchesReferenceBitwise
//   failed (the fp32 forward moved by at most 6e-7, inside its bound).
// - forward writing the joint blocks' caption tokens back into the Lumina2Caption (a step-to-step cache):
//   cachedCaptionEqualsPlainForward failed at the second timestep.
#include "core/io/safetensors_file.h"
#include "core/models/lumina2/lumina2_model.h"
#include "core/util/errors.h"
#include "support/tensor_compare.h"

#include <QtTest>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace fs = std::filesystem;
using namespace lumina;
using namespace lumina::test;
using namespace lumina::models;

namespace {

fs::path fixtures() {
    return fs::path(qEnvironmentVariable("LUMINA_FIXTURES_DIR").toStdString()) / "lumina2";
}

std::shared_ptr<Lumina2TransformerImpl> load(const fs::path& folder, at::ScalarType dtype = at::kFloat) {
    io::LoadOptions options;
    options.dtype = dtype;
    return loadLumina2Transformer(folder, options);
}

std::shared_ptr<const io::SafetensorsFile> caseFile(const nlohmann::json& c) {
    return io::SafetensorsFile::open(fixtures() / ("case_" + c["name"].get<std::string>() + ".safetensors"));
}

at::Tensor runCase(const Lumina2TransformerImpl& model, const io::SafetensorsFile& f) {
    return model.forward(f.tensor("latents").to(model.dtype()), f.tensor("timestep"),
                         f.tensor("caption").to(model.dtype()), f.tensor("mask"));
}

// Runs every case on its model in `dtype` and hands (case name, ours, the file) to `check`.
template <typename Check> int forEachCase(at::ScalarType dtype, Check check) {
    const auto manifest = readJson(fixtures() / "manifest.json");
    std::map<std::string, std::shared_ptr<Lumina2TransformerImpl>> models;
    int cases = 0;
    for (const auto& c : manifest["cases"]) {
        const auto name = c["model"].get<std::string>();
        if (!models.count(name)) models[name] = load(fixtures() / name, dtype);
        const auto f = caseFile(c);
        check(QString::fromStdString(c["name"].get<std::string>()), runCase(*models[name], *f), *f);
        ++cases;
    }
    return cases;
}

void expectLoadError(const fs::path& folder, const QStringList& needles) {
    try {
        load(folder);
        QFAIL("expected ModelLoadError");
    } catch (const ModelLoadError& e) {
        for (const auto& needle : needles)
            QVERIFY2(QString(e.what()).contains(needle), e.what());
    }
}

} // namespace

class TestLumina2 : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        at::set_num_threads(1);
        QVERIFY2(fs::exists(fixtures() / "manifest.json"), "run the fixture_lumina2 test first");
    }

    void configReadsDerivedSizes() {
        // The sizes diffusers derives from each config, read off its built modules by the fixture script.
        const auto manifest = readJson(fixtures() / "manifest.json");
        auto check = [](const Lumina2Config& c, const nlohmann::json& want) {
            QCOMPARE(c.headDim(), want["head_dim"].get<int64_t>());
            QCOMPARE(c.numKvHeads, want["kv_heads"].get<int64_t>());
            QCOMPARE(c.outChannels, want["out_channels"].get<int64_t>());
            QCOMPARE(c.ffnInnerDim(), want["ffn_inner"].get<int64_t>());
            QCOMPARE(c.conditioningDim(), want["conditioning"].get<int64_t>());
        };
        for (const char* name : {"M1", "M2"}) // M1: out_channels null; M2: ffn_dim_multiplier 1.3, out 8
            check(Lumina2Config::fromFile(fixtures() / name / "config.json"),
                  manifest["models"][name]["derived"]);
        const auto real = readJson(fixtures() / "real_shapes.json")["derived"];
        check(lumina2ImageConfig(), real);
        // The published config.json as diffusers writes it reads to the same values as lumina2ImageConfig().
        const auto fromFile = Lumina2Config::fromFile(fixtures() / "real_config" / "config.json");
        const auto builtIn = lumina2ImageConfig();
        check(fromFile, real);
        QCOMPARE(fromFile.numLayers, builtIn.numLayers);
        QCOMPARE(fromFile.numRefinerLayers, builtIn.numRefinerLayers);
        QCOMPARE(fromFile.capFeatDim, builtIn.capFeatDim);
        QVERIFY(fromFile.axesDimRope == builtIn.axesDimRope && fromFile.axesLens == builtIn.axesLens);
    }

    void badConfigNamesFileAndProblem_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value"); // JSON
        QTest::addColumn<QString>("needle");
        QTest::newRow("kv heads") << "num_kv_heads"
                                  << "3"
                                  << "num_kv_heads";
        QTest::newRow("rope split") << "axes_dim_rope"
                                    << "[4, 4, 6]"
                                    << "axes_dim_rope sums to 14";
        QTest::newRow("rope odd") << "axes_dim_rope"
                                  << "[3, 7, 6]"
                                  << "axes_dim_rope[0] = 3";
        QTest::newRow("rope list") << "axes_lens"
                                   << "[40, 32]"
                                   << "axes_lens";
        QTest::newRow("not a number") << "hidden_size"
                                      << "\"64\""
                                      << "hidden_size";
        QTest::newRow("negative") << "cap_feat_dim"
                                  << "-24"
                                  << "cap_feat_dim";
    }
    void badConfigNamesFileAndProblem() {
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, needle);
        const auto dir = fixtures() / "scratch_bad_config";
        fs::create_directories(dir);
        auto json = readJson(fixtures() / "M1" / "config.json");
        json[key.toStdString()] = nlohmann::json::parse(value.toStdString());
        std::ofstream(dir / "config.json") << json.dump();
        try {
            Lumina2Config::fromFile(dir / "config.json");
            QFAIL("expected ModelLoadError");
        } catch (const ModelLoadError& e) {
            QVERIFY2(QString(e.what()).contains(needle), e.what());
            QVERIFY2(QString(e.what()).contains("config.json"), e.what());
        }
    }

    void ropeMatchesReferenceBitwise() {
        // Lumina2RotaryPosEmbed.forward on the M1 config with caption lengths 7 and 4 and a 6x4 token grid.
        const auto model = load(fixtures() / "M1");
        const auto f = io::SafetensorsFile::open(fixtures() / "rope.safetensors");
        const std::vector<int64_t> lengths{7, 4};
        QVERIFY(bitwiseEqual(model->rope().caption(lengths, 10, at::kCPU), f->tensor("caption")));
        QVERIFY(bitwiseEqual(model->rope().image(lengths, 6, 4, at::kCPU), f->tensor("image")));
        // The joint table of sample b is its caption rows, then its image rows, then (0, 0, 0) padding.
        const auto joint = f->tensor("joint");
        auto positions = at::zeros({2, joint.size(1), 3}, at::kLong);
        for (int64_t b = 0; b < 2; ++b) {
            positions[b].select(1, 0).narrow(0, 0, lengths[b]).copy_(at::arange(lengths[b]));
            positions[b].select(1, 0).narrow(0, lengths[b], 24).fill_(lengths[b]);
            positions[b].select(1, 1).narrow(0, lengths[b], 24).copy_(at::arange(6).repeat_interleave(4));
            positions[b].select(1, 2).narrow(0, lengths[b], 24).copy_(at::arange(4).repeat({6}));
        }
        QVERIFY(bitwiseEqual(model->rope().gather(positions), joint));
    }

    void fullForwardMatchesFp32() {
        // fp32 against diffusers in fp32. Measured on the CPU: max abs <= 4.8e-7, rel L2 <= 1.7e-7 where a
        // mask is involved (SDPA then sums the truncated or stacked keys in another order), 0 elsewhere.
        const int cases = forEachCase(
            at::kFloat, [](const QString& name, const at::Tensor& out, const io::SafetensorsFile& f) {
                const auto want = f.tensor("output");
                QCOMPARE(out.sizes(), want.sizes());
                const auto d = diff(out, want);
                const auto msg = QString("%1: max abs %2, rel L2 %3").arg(name).arg(d.maxAbs).arg(d.relL2);
                qInfo("%s", qPrintable(msg));
                QVERIFY2(d.maxAbs <= 1e-5 && d.relL2 <= 1e-5, qPrintable(msg));
            });
        QCOMPARE(cases, 6);
    }

    void bf16MatchesBf16Reference() {
        // bf16 weights and bf16-rounded inputs against diffusers in bf16 (its fp32 islands: RMSNorm
        // statistics, FP32SiLU, the fp64 RoPE product, the fp32 sinusoid). Measured on the CPU: bitwise equal
        // on every case. Another device may pick another SDPA kernel for our unmasked or stacked attention:
        // allow a few bf16 ulps (2^-8 relative) rather than bitwise.
        const int cases = forEachCase(at::kBFloat16, [](const QString& name, const at::Tensor& out,
                                                        const io::SafetensorsFile& f) {
            QCOMPARE(out.scalar_type(), at::kBFloat16);
            const auto d = diff(out, f.tensor("output_bf16"));
            const auto msg = QString("%1 bf16: max abs %2, rel L2 %3").arg(name).arg(d.maxAbs).arg(d.relL2);
            qInfo("%s", qPrintable(msg));
            QVERIFY2(d.relL2 <= 4e-3, qPrintable(msg));
        });
        QCOMPARE(cases, 6);
    }

    void cachedCaptionEqualsPlainForward() {
        // One prepareCaption reused across steps (other timesteps, other latents) gives the plain forward's
        // output bit for bit, with and without the padding mask (M1 padded batch, M2 full equal batch).
        const auto manifest = readJson(fixtures() / "manifest.json");
        for (const int index : {0, 5}) {
            const auto& c = manifest["cases"][index];
            const auto model = load(fixtures() / c["model"].get<std::string>());
            const auto f = caseFile(c);
            const auto features = f->tensor("caption"), mask = f->tensor("mask");
            const auto caption = model->prepareCaption(features, mask);
            const auto latents = f->tensor("latents");
            const int64_t b = latents.size(0);
            for (const float t : {0.05f, 0.5f, 0.95f}) {
                const auto x = latents * (1.0f + t);
                const auto time = at::full({b}, t);
                const auto cached = model->forward(x, time, caption);
                const auto plain = model->forward(x, time, features, mask);
                QVERIFY2(bitwiseEqual(cached, plain), qPrintable(QString("case %1, t %2").arg(index).arg(t)));
            }
        }
    }

    void realKeysAndShapesWithoutAllocating() {
        const auto expected = readJson(fixtures() / "real_shapes.json");
        const Lumina2TransformerImpl model(lumina2ImageConfig(),
                                           at::TensorOptions().dtype(at::kBFloat16).device(at::kMeta));
        std::map<std::string, std::vector<int64_t>> ours;
        int64_t total = 0;
        for (const auto& p : model.named_parameters()) {
            QVERIFY(p.value().is_meta());
            ours[p.key()] = p.value().sizes().vec();
            total += p.value().numel();
        }
        QVERIFY(model.named_buffers().is_empty());
        std::map<std::string, std::vector<int64_t>> theirs;
        for (const auto& [k, v] : expected["shapes"].items())
            theirs[k] = v.get<std::vector<int64_t>>();
        for (const auto& [k, v] : theirs) {
            QVERIFY2(ours.count(k), ("missing " + k).c_str());
            QVERIFY2(ours[k] == v, ("shape of " + k).c_str());
        }
        QCOMPARE(ours.size(), theirs.size());
        QCOMPARE(total, expected["total"].get<int64_t>()); // 2,609,769,152
    }

    void loadingErrorsNameTheProblem() {
        validateLumina2Transformer(fixtures() / "M1");
        expectLoadError(fixtures() / "broken_missing", {"layers.1.attn.norm_k.weight"});
        expectLoadError(fixtures() / "broken_shape", {"context_refiner.0.feed_forward.linear_3.weight"});
        QVERIFY_THROWS_EXCEPTION(ModelLoadError, validateLumina2Transformer(fixtures() / "broken_missing"));
        // A config that disagrees with the weights: the first mismatching key is named.
        const auto dir = fixtures() / "scratch_mismatch";
        fs::create_directories(dir);
        fs::copy_file(fixtures() / "M1" / "diffusion_pytorch_model.safetensors",
                      dir / "diffusion_pytorch_model.safetensors", fs::copy_options::overwrite_existing);
        auto json = readJson(fixtures() / "M1" / "config.json");
        json["num_kv_heads"] = 4; // the weights have 2 KV heads
        std::ofstream(dir / "config.json") << json.dump();
        expectLoadError(dir, {"attn.to_k.weight"});
        QVERIFY_THROWS_EXCEPTION(ModelLoadError, load(fixtures() / "no_such_folder"));
    }

    void badInputsAreRejected() {
        const auto model = load(fixtures() / "M1");
        const auto caption =
            model->prepareCaption(torch::randn({1, 4, 24}), torch::ones({1, 4}, torch::kLong));
        const auto t = torch::full({1}, 0.5f);
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, model->forward(torch::randn({1, 4, 7, 8}), t, caption));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, model->forward(torch::randn({1, 3, 8, 8}), t, caption));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest,
                                 model->forward(torch::randn({2, 4, 8, 8}), torch::full({2}, 0.5f), caption));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest,
                                 model->forward(torch::randn({1, 4, 8, 8}, torch::kBFloat16), t, caption));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest,
                                 model->forward(torch::randn({1, 4, 8, 8}), torch::full({2}, 0.5f), caption));
        // axes_lens (40, 32, 32): at most 32 tokens a side, at most 39 caption tokens.
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, model->forward(torch::randn({1, 4, 66, 8}), t, caption));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, model->prepareCaption(torch::randn({1, 40, 24}),
                                                                       torch::ones({1, 40}, torch::kLong)));
        QVERIFY_THROWS_EXCEPTION(
            InvalidRequest,
            model->prepareCaption(torch::randn({2, 4, 24}), torch::tensor({{1, 1, 0, 0}, {0, 0, 0, 0}})));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, model->prepareCaption(torch::randn({1, 4, 23}),
                                                                       torch::ones({1, 4}, torch::kLong)));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, model->prepareCaption(torch::randn({0, 4, 24}),
                                                                       torch::ones({0, 4}, torch::kLong)));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, model->prepareCaption(torch::randn({1, 4, 24}),
                                                                       torch::ones({1, 5}, torch::kLong)));
        QVERIFY(model->forward(torch::randn({1, 4, 64, 8}), t, caption).sizes() ==
                at::IntArrayRef({1, 4, 64, 8}));
    }
};

QTEST_GUILESS_MAIN(TestLumina2)
#include "test_lumina2.moc"
