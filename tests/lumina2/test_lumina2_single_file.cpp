// The Lumina-Image 2.0 transformer from one original-layout .safetensors file (core/models/lumina2/
// lumina2_single_file.h) on the fixtures of tests/python/make_lumina2_single_file_fixtures.py, which converts
// the tiny models of make_lumina2_transformer_fixtures.py to the original layout and checks with diffusers'
// convert_lumina2_to_diffusers that it maps back exactly: the inferred config, every parameter and the
// forward output bit for bit equal to the folder load (fp32, and bf16 with the fused qkv as views of the
// mapped file), the transformer part of an all-in-one checkpoint, and the errors for files that are not one.
//
// Mutations tried (each made the named tests fail, then was restored):
// - to_k and to_v swapped in originalLumina2Key (parts 2 and 1): singleFileEqualsFolder failed on M1 and M2
//   (the k and v blocks have equal shapes: only the values show it), bf16FileLoadsAsViews,
//   allInOneCheckpointYieldsItsTransformer and originalKeyNames.
// - each row part cloned in io::loadModuleWeights (splitRows; copies instead of views of the mapped file):
//   bf16FileLoadsAsViews failed (to_k no longer follows to_q in memory); the values still matched.
#include "core/io/module_loader.h"
#include "core/models/lumina2/lumina2_original_keys.h"
#include "core/models/lumina2/lumina2_single_file.h"
#include "core/util/errors.h"
#include "support/error_of.h"
#include "support/tensor_compare.h"

#include <QtTest>
#include <filesystem>
#include <torch/torch.h>

namespace fs = std::filesystem;
using namespace lumina;
using namespace lumina::test;
using namespace lumina::models;

namespace {

fs::path fixtures() {
    return fs::path(qEnvironmentVariable("LUMINA_FIXTURES_DIR").toStdString()) / "lumina2_single_file";
}

// What the file cannot state (the RoPE split and lengths, the norm eps) for the tiny model `name`.
Lumina2Config unstoredOf(const std::string& name) {
    const auto m = readJson(fixtures() / "manifest.json")["models"][name];
    auto c = lumina2ImageConfig();
    for (std::size_t i = 0; i < 3; ++i) {
        c.axesDimRope[i] = m["axes_dim_rope"][i].get<int64_t>();
        c.axesLens[i] = m["axes_lens"][i].get<int64_t>();
    }
    c.normEps = m["norm_eps"].get<double>();
    return c;
}

io::LoadOptions inDtype(at::ScalarType dtype) {
    io::LoadOptions options;
    options.dtype = dtype;
    return options;
}

// A padded two-prompt batch on non-square latents.
at::Tensor forwardOf(const Lumina2TransformerImpl& model) {
    const auto& c = model.config();
    at::manual_seed(42);
    const auto o = at::TensorOptions().dtype(model.dtype());
    const auto latents = at::randn({2, c.inChannels, 8, 6}).to(o);
    const auto caption = at::randn({2, 7, c.capFeatDim}).to(o);
    const auto mask = at::arange(7).unsqueeze(0) < at::tensor({7, 4}).unsqueeze(1);
    return model.forward(latents, at::tensor({0.3f, 0.7f}), caption, mask);
}

// Every parameter of `got` bitwise equal to `want`'s; returns the first differing key, or "".
std::string firstDifferentParameter(const Lumina2TransformerImpl& got, const Lumina2TransformerImpl& want) {
    const auto wanted = want.named_parameters(true);
    for (const auto& item : got.named_parameters(true)) {
        const auto* w = wanted.find(item.key());
        if (!w || !bitwiseEqual(item.value(), *w)) return item.key();
    }
    return got.named_parameters(true).size() == wanted.size() ? "" : "(parameter count)";
}

} // namespace

class TestLumina2SingleFile : public QObject {
    Q_OBJECT
private slots:
    void originalKeyNames() {
        const std::pair<const char*, const char*> same[] = {
            {"x_embedder.weight", "x_embedder.weight"},
            {"time_caption_embed.timestep_embedder.linear_2.bias", "t_embedder.mlp.2.bias"},
            {"time_caption_embed.caption_embedder.1.weight", "cap_embedder.1.weight"},
            {"norm_out.linear_1.weight", "final_layer.adaLN_modulation.1.weight"},
            {"norm_out.linear_2.bias", "final_layer.linear.bias"},
            {"layers.12.attn.to_out.0.weight", "layers.12.attention.out.weight"},
            {"noise_refiner.1.norm1.norm.weight", "noise_refiner.1.attention_norm1.weight"},
            {"context_refiner.1.norm1.weight", "context_refiner.1.attention_norm1.weight"},
            {"layers.0.norm1.linear.bias", "layers.0.adaLN_modulation.1.bias"},
            {"layers.0.attn.norm_k.weight", "layers.0.attention.k_norm.weight"},
            {"layers.3.feed_forward.linear_3.weight", "layers.3.feed_forward.w3.weight"}};
        for (const auto& [moduleKey, original] : same) {
            const auto key = originalLumina2Key(moduleKey, "");
            QCOMPARE(key.key, std::string(original));
            QCOMPARE(key.part, 0);
        }
        const auto v = originalLumina2Key("layers.5.attn.to_v.weight", "model.diffusion_model.");
        QCOMPARE(v.key, std::string("model.diffusion_model.layers.5.attention.qkv.weight"));
        QCOMPARE(v.part, 2);
        QCOMPARE(originalLumina2Key("layers.5.attn.to_k.weight", "").part, 1);
        QVERIFY_THROWS_EXCEPTION(Error, originalLumina2Key("layers.0.attn.to_qkv.weight", ""));
        QVERIFY_THROWS_EXCEPTION(Error, originalLumina2Key("encoder.conv_in.weight", ""));
    }

    void inferredConfigMatchesFolder_data() {
        QTest::addColumn<QString>("name");
        QTest::newRow("M1 GQA 2, one refiner") << "M1";
        QTest::newRow("M2 GQA 4, ffn multiplier, out_channels") << "M2";
    }
    void inferredConfigMatchesFolder() {
        QFETCH(QString, name);
        const auto n = name.toStdString();
        const auto got =
            validateLumina2TransformerSingleFile(fixtures() / (n + "_original.safetensors"), unstoredOf(n));
        const auto want = Lumina2Config::fromFile(fixtures() / n / "config.json");
        QCOMPARE(got.hiddenSize, want.hiddenSize);
        QCOMPARE(got.numLayers, want.numLayers);
        QCOMPARE(got.numRefinerLayers, want.numRefinerLayers);
        QCOMPARE(got.numAttentionHeads, want.numAttentionHeads);
        QCOMPARE(got.numKvHeads, want.numKvHeads);
        QCOMPARE(got.capFeatDim, want.capFeatDim);
        QCOMPARE(got.inChannels, want.inChannels);
        QCOMPARE(got.outChannels, want.outChannels);
        QCOMPARE(got.ffnInnerDim(), want.ffnInnerDim());
        QCOMPARE(got.conditioningDim(), want.conditioningDim());
    }

    void singleFileEqualsFolder_data() { inferredConfigMatchesFolder_data(); }
    void singleFileEqualsFolder() {
        QFETCH(QString, name);
        const auto n = name.toStdString();
        const auto folder = loadLumina2Transformer(fixtures() / n, inDtype(at::kFloat));
        const auto single = loadLumina2TransformerSingleFile(fixtures() / (n + "_original.safetensors"),
                                                             inDtype(at::kFloat), unstoredOf(n));
        const auto differing = firstDifferentParameter(*single, *folder);
        QVERIFY2(differing.empty(), differing.c_str());
        QVERIFY(bitwiseEqual(forwardOf(*single), forwardOf(*folder)));
    }

    // A bf16 file loaded in bf16 on the CPU: to_q, to_k and to_v lie back to back in memory, as the row
    // blocks of the one stored qkv tensor in the mapped file (copies would be separate allocations), and the
    // model equals the fp32 folder rounded to bf16 by the folder loader.
    void bf16FileLoadsAsViews() {
        const auto folder = loadLumina2Transformer(fixtures() / "M1", inDtype(at::kBFloat16));
        const auto single = loadLumina2TransformerSingleFile(fixtures() / "M1_original_bf16.safetensors",
                                                             inDtype(at::kBFloat16), unstoredOf("M1"));
        QCOMPARE(single->dtype(), at::kBFloat16);
        const auto params = single->named_parameters(true);
        for (const char* block : {"layers.1.attn.", "context_refiner.0.attn."}) {
            const auto q = params[std::string(block) + "to_q.weight"];
            const auto k = params[std::string(block) + "to_k.weight"];
            const auto v = params[std::string(block) + "to_v.weight"];
            const auto* base = static_cast<const char*>(q.data_ptr());
            QCOMPARE(static_cast<const char*>(k.data_ptr()), base + q.nbytes());
            QCOMPARE(static_cast<const char*>(v.data_ptr()), base + q.nbytes() + k.nbytes());
        }
        const auto differing = firstDifferentParameter(*single, *folder);
        QVERIFY2(differing.empty(), differing.c_str());
        QVERIFY(bitwiseEqual(forwardOf(*single), forwardOf(*folder)));
    }

    // The transformer part of a model.diffusion_model.-prefixed checkpoint is loaded; its text-encoder and
    // VAE tensors are left unused.
    void allInOneCheckpointYieldsItsTransformer() {
        const auto file = fixtures() / "M1_all_in_one.safetensors";
        const auto single = loadLumina2TransformerSingleFile(file, inDtype(at::kFloat), unstoredOf("M1"));
        const auto folder = loadLumina2Transformer(fixtures() / "M1", inDtype(at::kFloat));
        const auto differing = firstDifferentParameter(*single, *folder);
        QVERIFY2(differing.empty(), differing.c_str());
        QCOMPARE(validateLumina2TransformerSingleFile(file, unstoredOf("M1")).numLayers, 2);
    }

    void badFilesGiveClearErrors_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QStringList>("parts");
        QTest::newRow("vae") << "bad_vae.safetensors"
                             << QStringList{"bad_vae.safetensors", "no Lumina-Image 2.0 transformer tensors",
                                            "encoder.conv_in.weight", "VAE"};
        QTest::newRow("truncated") << "bad_truncated.safetensors"
                                   << QStringList{
                                          "bad_truncated.safetensors",
                                          "1 missing tensor(s): noise_refiner.0.attention.k_norm.weight",
                                          "1 unused tensor(s): pad_token"};
        QTest::newRow("qkv rows") << "bad_qkv_rows.safetensors"
                                  << QStringList{
                                         "bad_qkv_rows.safetensors", "layers.1.attention.qkv.weight",
                                         "checkpoint [96, 64] vs model parts [64, 64] + [32, 64] + [32, "
                                         "64]"};
        QTest::newRow("diffusers layout")
            << "bad_diffusers_layout.safetensors"
            << QStringList{"bad_diffusers_layout.safetensors", "diffusers key layout", "config.json"};
        QTest::newRow("Lumina-Next") << "bad_lumina_next.safetensors"
                                     << QStringList{"layers.0.attention.wq.weight", "Lumina-Next"};
        QTest::newRow("published RoPE split for a tiny model")
            << "M1_original.safetensors" << QStringList{"head dimension is 16", "axes_dim_rope [32, 32, 32]"};
    }
    void badFilesGiveClearErrors() {
        QFETCH(QString, file);
        QFETCH(QStringList, parts);
        const auto path = fixtures() / file.toStdString();
        // The published RoPE split unless the row is about it.
        const auto unstored = file.startsWith("M1") ? lumina2ImageConfig() : unstoredOf("M1");
        for (const bool loadData : {false, true}) {
            const auto msg = loadErrorOf([&] {
                if (loadData)
                    loadLumina2TransformerSingleFile(path, inDtype(at::kFloat), unstored);
                else
                    validateLumina2TransformerSingleFile(path, unstored);
            });
            for (const auto& part : parts)
                QVERIFY2(msg.contains(part), qPrintable(QString("missing '%1' in: %2").arg(part, msg)));
        }
    }
};

QTEST_GUILESS_MAIN(TestLumina2SingleFile)
#include "test_lumina2_single_file.moc"
