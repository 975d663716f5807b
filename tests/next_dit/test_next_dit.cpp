// Parity of the LibTorch Next-DiT with diffusers' LuminaNextDiT2DModel on the fixtures written by
// tests/python/make_next_dit_fixtures.py (RoPE table, time embedding, patch embedding, blocks, forward), the
// published 2B key/shape set, and loading errors.
//
// Mutation tried: proportional attention's scale without the sqrt (log_base(N) * scale): square_prop_linear
// in fullForwardMatchesFp32 and bf16MatchesBf16Reference failed.
#include "core/io/safetensors_file.h"
#include "core/io/weight_set.h"
#include "core/models/next_dit/next_dit_model.h"
#include "core/util/errors.h"
#include "support/tensor_compare.h"

#include <QtTest>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace fs = std::filesystem;
using namespace lumina;
using namespace lumina::test;
using namespace lumina::models;

namespace {

fs::path fixtures() {
    return fs::path(qEnvironmentVariable("LUMINA_FIXTURES_DIR").toStdString()) / "next_dit";
}

std::shared_ptr<NextDiTModelImpl> load(const std::string& name, at::ScalarType dtype = at::kFloat) {
    io::LoadOptions options;
    options.dtype = dtype;
    return loadNextDiT(fixtures() / name, options);
}

at::Tensor runCase(const NextDiTModelImpl& model, const nlohmann::json& c, const io::SafetensorsFile& f) {
    NextDiTStepOptions step;
    step.rope = {c["linear"].get<double>(), c["ntk"].get<double>()};
    if (!c["base_sequence_length"].is_null())
        step.baseSequenceLength = c["base_sequence_length"].get<int64_t>();
    const auto caption = model.prepareCaption(f.tensor("caption").to(model.dtype()), f.tensor("mask"));
    return model.forward(f.tensor("latents").to(model.dtype()), f.tensor("timestep"), caption, step);
}

} // namespace

class TestNextDiT : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        at::set_num_threads(1);
        QVERIFY2(fs::exists(fixtures() / "manifest.json"), "run the fixture_next_dit test first");
    }

    void configReadsDerivedSizes() {
        // The sizes diffusers derives from each config (read off its built modules by the fixture script).
        const auto manifest = readJson(fixtures() / "manifest.json");
        auto check = [](const NextDiTConfig& c, const nlohmann::json& want) {
            QCOMPARE(c.hiddenSize, want["hidden_size"].get<int64_t>());
            QCOMPARE(c.headDim(), want["head_dim"].get<int64_t>());
            QCOMPARE(c.numKvHeads, want["kv_heads"].get<int64_t>());
            QCOMPARE(c.outChannels(), want["out_channels"].get<int64_t>());
            QCOMPARE(c.ffnInnerDim(), want["ffn_inner"].get<int64_t>());
            QCOMPARE(c.conditioningDim(), want["conditioning"].get<int64_t>());
        };
        for (const char* name : {"T1", "T2", "T3"}) // T3: ffn_dim_multiplier 1.3
            check(NextDiTConfig::fromFile(fixtures() / name / "config.json"),
                  manifest["models"][name]["derived"]);
        check(nextDiT2BConfig(), readJson(fixtures() / "real_2b_shapes.json")["derived"]);
    }

    void badConfigNamesFileAndProblem() {
        const auto dir = fixtures() / "scratch_bad_config";
        fs::create_directories(dir);
        auto json = readJson(fixtures() / "T1" / "config.json");
        json["num_attention_heads"] = 3;
        std::ofstream(dir / "config.json") << json.dump();
        try {
            NextDiTConfig::fromFile(dir / "config.json");
            QFAIL("expected ModelLoadError");
        } catch (const ModelLoadError& e) {
            QVERIFY2(QString(e.what()).contains("num_attention_heads"), e.what());
            QVERIFY2(QString(e.what()).contains("config.json"), e.what());
        }
    }

    void ropeTablesMatchBitwise() {
        const auto manifest = readJson(fixtures() / "manifest.json");
        const auto file = io::SafetensorsFile::open(fixtures() / "rope.safetensors");
        int checked = 0;
        for (const auto& r : manifest["rope"]) {
            const RoPEFactors f{r["linear"].get<double>(), r["ntk"].get<double>()};
            for (int64_t hd : {16, 72}) {
                const auto prefix =
                    "rope." + std::to_string(r["index"].get<int>()) + "." + std::to_string(hd);
                const auto tall = at::view_as_real(buildRoPETable(hd, 384, 3, f)).contiguous();
                const auto wide = at::view_as_real(buildRoPETable(hd, 3, 384, f)).contiguous();
                QVERIFY2(bitwiseEqual(tall, file->tensor(prefix + ".tall")), prefix.c_str());
                QVERIFY2(bitwiseEqual(wide, file->tensor(prefix + ".wide")), prefix.c_str());
                checked += 2;
            }
        }
        QCOMPARE(checked, 32);
        // Cached: the same factors give the same tensor object.
        QVERIFY(buildRoPETable(16, 384, 3, {}).is_same(buildRoPETable(16, 384, 3, {})));
    }

    void timeProjectionIsBitwise() {
        const auto f = io::SafetensorsFile::open(fixtures() / "pieces.safetensors");
        QVERIFY(bitwiseEqual(timestepProjection(f->tensor("time_proj.t")), f->tensor("time_proj.out")));
    }

    void conditioningMatches() {
        const auto model = load("T1");
        const auto f = io::SafetensorsFile::open(fixtures() / "pieces.safetensors");
        const auto caption = model->prepareCaption(f->tensor("temb.caption"), f->tensor("temb.mask"));
        const auto temb = model->timeEmbedding(f->tensor("temb.t")) + caption.embedding;
        const auto d = diff(temb, f->tensor("temb.out"));
        QVERIFY2(d.maxAbs <= 1e-6, qPrintable(QString::number(d.maxAbs)));
    }

    void patchEmbedAndUnpatchifyLayouts() {
        const auto model = load("T1");
        const auto f = io::SafetensorsFile::open(fixtures() / "pieces.safetensors");
        const auto tokens = model->patchEmbed(f->tensor("patch.latents"));
        const auto d = diff(tokens, f->tensor("patch.tokens"));
        QVERIFY2(d.maxAbs <= 1e-6, qPrintable(QString::number(d.maxAbs)));
        // 12x8 latents: 6x4 tokens, RoPE slice of the 384x384 table, row-major.
        QVERIFY(bitwiseEqual(model->ropeFor(6, 4, {}).contiguous(), f->tensor("patch.freqs")));
        QVERIFY(bitwiseEqual(model->unpatchify(f->tensor("unpatchify.tokens"), 12, 8).contiguous(),
                             f->tensor("unpatchify.image")));
    }

    void fullForwardMatchesFp32() {
        const auto manifest = readJson(fixtures() / "manifest.json");
        std::map<std::string, std::shared_ptr<NextDiTModelImpl>> models;
        int cases = 0;
        for (const auto& c : manifest["cases"]) {
            const auto name = c["model"].get<std::string>();
            if (!models.count(name)) {
                models[name] = load(name);
                const auto& m = manifest["models"][name];
                const int64_t expectShared =
                    m["shared_query"].get<bool>() ? m["num_layers"].get<int64_t>() : 0;
                QCOMPARE(models[name]->sharedQueryBlocks(), expectShared);
            }
            const auto f = io::SafetensorsFile::open(
                fixtures() / ("case_" + c["name"].get<std::string>() + ".safetensors"));
            const auto out = runCase(*models[name], c, *f);
            const auto want = f->tensor("output");
            QCOMPARE(out.sizes(), want.sizes());
            const auto d = diff(out, want);
            const auto msg = QString("%1: max abs %2, rel L2 %3")
                                 .arg(QString::fromStdString(c["name"].get<std::string>()))
                                 .arg(d.maxAbs)
                                 .arg(d.relL2);
            qInfo("%s", qPrintable(msg));
            QVERIFY2(d.maxAbs <= 1e-5 && d.relL2 <= 1e-6, qPrintable(msg));
            ++cases;
        }
        QCOMPARE(cases, 7);
    }

    void fallbackQueryPathIsNeeded() {
        // T2's attn2 query differs from attn1's. Making attn2.to_q/norm_q equal to attn1's must switch the
        // block to the shared path and change the output: so the separate computation is what kept parity
        // above.
        const auto model = load("T2");
        QCOMPARE(model->sharedQueryBlocks(), int64_t(0));
        const auto manifest = readJson(fixtures() / "manifest.json");
        const auto& c = manifest["cases"][3];
        QCOMPARE(c["model"].get<std::string>(), std::string("T2"));
        const auto f =
            io::SafetensorsFile::open(fixtures() / ("case_" + c["name"].get<std::string>() + ".safetensors"));
        {
            torch::NoGradGuard g;
            for (auto& p : model->named_parameters()) {
                if (p.key().find("attn2.to_q") != std::string::npos ||
                    p.key().find("attn2.norm_q") != std::string::npos) {
                    const auto other = model->named_parameters()[std::string(p.key()).replace(
                        p.key().find("attn2"), 5, "attn1")];
                    p.value().copy_(other);
                }
            }
        }
        model->finishLoading();
        QCOMPARE(model->sharedQueryBlocks(), int64_t(2)); // the bitwise check now finds equal weights
        const auto d = diff(runCase(*model, c, *f), f->tensor("output"));
        QVERIFY2(d.maxAbs > 1e-3, "changing attn2.to_q must change the output");
    }

    void halfPrecisionStaysCloseToFp32Reference_data() {
        QTest::addColumn<int>("dtype");
        QTest::newRow("bf16") << int(at::kBFloat16);
        QTest::newRow("fp16") << int(at::kHalf);
    }
    void halfPrecisionStaysCloseToFp32Reference() {
        // bf16/fp16 weights and activations (with the reference's fp32 islands) against the fp32 reference.
        // bf16 keeps 8 mantissa bits, so ~1e-2 relative error is expected (measured rel L2 0.8-1.0e-2, cosine
        // >= 0.99995 on these fixtures). Bound: rel L2 <= 3e-2 and cosine >= 0.999.
        QFETCH(int, dtype);
        const auto type = static_cast<at::ScalarType>(dtype);
        const auto manifest = readJson(fixtures() / "manifest.json");
        std::map<std::string, std::shared_ptr<NextDiTModelImpl>> models;
        for (const auto& c : manifest["cases"]) {
            const auto name = c["model"].get<std::string>();
            if (!models.count(name)) models[name] = load(name, type);
            const auto f = io::SafetensorsFile::open(
                fixtures() / ("case_" + c["name"].get<std::string>() + ".safetensors"));
            const auto out = runCase(*models[name], c, *f);
            QCOMPARE(out.scalar_type(), type);
            const auto want = f->tensor("output");
            const auto d = diff(out, want);
            const double cosine =
                at::cosine_similarity(out.to(at::kDouble).flatten(), want.to(at::kDouble).flatten(), 0)
                    .item<double>();
            const auto msg = QString("%1 %2: rel L2 %3, cosine %4")
                                 .arg(QString::fromStdString(c["name"].get<std::string>()))
                                 .arg(QString::fromStdString(c10::toString(type)))
                                 .arg(d.relL2)
                                 .arg(cosine, 0, 'g', 8);
            qInfo("%s", qPrintable(msg));
            QVERIFY2(d.relL2 <= 3e-2 && cosine >= 0.999, qPrintable(msg));
        }
    }

    void bf16MatchesBf16Reference() {
        // Same bf16 weights and bf16-rounded inputs as diffusers in bf16: this checks the fp32 islands and
        // cast points (RMSNorm cast before the weight, FP32 SiLU, fp32 RoPE, fp32 caption pooling). Our
        // self-attention runs without the all-true mask and with grouped queries, so SDPA may pick another
        // kernel: allow a few bf16 ulps (2^-8 relative) rather than bitwise.
        const auto manifest = readJson(fixtures() / "manifest.json");
        std::map<std::string, std::shared_ptr<NextDiTModelImpl>> models;
        for (const auto& c : manifest["cases"]) {
            const auto name = c["model"].get<std::string>();
            if (!models.count(name)) models[name] = load(name, at::kBFloat16);
            const auto f = io::SafetensorsFile::open(
                fixtures() / ("case_" + c["name"].get<std::string>() + ".safetensors"));
            const auto want = f->tensor("output_bf16");
            const auto out = runCase(*models[name], c, *f);
            const auto d = diff(out, want);
            const auto msg = QString("%1 bf16 vs bf16 reference: max abs %2, rel L2 %3")
                                 .arg(QString::fromStdString(c["name"].get<std::string>()))
                                 .arg(d.maxAbs)
                                 .arg(d.relL2);
            qInfo("%s", qPrintable(msg));
            QVERIFY2(d.relL2 <= 4e-3, qPrintable(msg)); // measured: bitwise equal on CPU
        }
    }

    void real2BKeysAndShapesWithoutAllocating() {
        const auto expected = readJson(fixtures() / "real_2b_shapes.json");
        const NextDiTModelImpl model(nextDiT2BConfig(),
                                     at::TensorOptions().dtype(at::kBFloat16).device(at::kMeta));
        std::map<std::string, std::vector<int64_t>> ours;
        int64_t total = 0;
        for (const auto& p : model.named_parameters()) {
            QVERIFY(p.value().is_meta());
            ours[p.key()] = p.value().sizes().vec();
            total += p.value().numel();
        }
        std::map<std::string, std::vector<int64_t>> theirs;
        for (const auto& [k, v] : expected["shapes"].items())
            theirs[k] = v.get<std::vector<int64_t>>();
        for (const auto& [k, v] : theirs) {
            QVERIFY2(ours.count(k), ("missing " + k).c_str());
            QVERIFY2(ours[k] == v, ("shape of " + k).c_str());
        }
        QCOMPARE(ours.size(), theirs.size());
        QCOMPARE(total, expected["total"].get<int64_t>());
    }

    void validateAcceptsGoodAndRejectsMismatchedFolders() {
        validateNextDiT(fixtures() / "T1");
        const auto dir = fixtures() / "scratch_mismatch";
        fs::create_directories(dir);
        fs::copy_file(fixtures() / "T1" / "diffusion_pytorch_model.safetensors",
                      dir / "diffusion_pytorch_model.safetensors", fs::copy_options::overwrite_existing);
        auto json = readJson(fixtures() / "T1" / "config.json");
        json["num_kv_heads"] = 4; // the weights have 2 KV heads
        std::ofstream(dir / "config.json") << json.dump();
        for (int pass = 0; pass < 2; ++pass) {
            try {
                if (pass == 0)
                    validateNextDiT(dir);
                else
                    load(dir.string());
                QFAIL("expected ModelLoadError");
            } catch (const ModelLoadError& e) {
                QVERIFY2(QString(e.what()).contains("attn1.to_k.weight"), e.what());
            }
        }
        QVERIFY_THROWS_EXCEPTION(ModelLoadError, validateNextDiT(fixtures() / "no_such_folder"));
    }

    void badInputsAreRejected() {
        const auto model = load("T1");
        const auto caption =
            model->prepareCaption(torch::randn({1, 4, 32}), torch::ones({1, 4}, torch::kLong));
        const auto t = torch::full({1}, 0.5f);
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, model->forward(torch::randn({1, 4, 7, 8}), t, caption, {}));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, model->forward(torch::randn({1, 3, 8, 8}), t, caption, {}));
        QVERIFY_THROWS_EXCEPTION(
            InvalidRequest, model->forward(torch::randn({2, 4, 8, 8}), torch::full({2}, 0.5f), caption, {}));
        QVERIFY_THROWS_EXCEPTION(
            InvalidRequest, model->forward(torch::randn({1, 4, 8, 8}, torch::kBFloat16), t, caption, {}));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest,
                                 model->forward(torch::randn({1, 4, 770, 8}), t, caption, {}));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, model->prepareCaption(torch::randn({1, 4, 32}),
                                                                       torch::zeros({1, 4}, torch::kLong)));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, model->prepareCaption(torch::randn({1, 4, 31}),
                                                                       torch::ones({1, 4}, torch::kLong)));
        QVERIFY(model->forward(torch::randn({1, 4, 8, 8}), t, caption, {}).sizes() ==
                at::IntArrayRef({1, 8, 8, 8}));
    }
};

QTEST_GUILESS_MAIN(TestNextDiT)
#include "test_next_dit.moc"
