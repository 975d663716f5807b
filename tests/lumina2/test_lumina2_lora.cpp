// LoRA for the Lumina-Image 2.0 transformer (core/models/lumina2/lumina2_lora.h,
// core/models/common/lora_fusion.h) on the fixtures of tests/python/make_lumina2_lora_fixtures.py: the LoRAs
// written there are loaded and fused by diffusers + peft (Lumina2Pipeline.load_lora_weights, set_adapters,
// fuse_lora) and the fused weights, the fused forward and the unfused (PEFT) forward dumped. Checked here:
// peft's scaling per module, every fused weight bit for bit, the fused forward, the tolerance to the unfused
// forward, exact restore (the mapped base untouched), changing the set equal to a fresh apply, the
// original-layout conversion at the published widths against diffusers' converter, and the errors for files
// that are not a Lumina 2 LoRA.
//
// Mutations tried (each made the named tests fail, then was restored):
// - the half/bfloat16 CPU product of loraDeltaWeight computed in bfloat16 instead of fp32:
// fusedWeightsMatchDiffusers
//   failed on "bf16_two_loras" only (fused weights and output no longer bitwise).
// - the qkv lora_B row blocks handed to to_q, to_v, to_k in convertOriginalLumina2Lora:
//   fusedWeightsMatchDiffusers failed on "original_scale_0_8" and "bf16_two_loras", and
//   publishedWidthOriginalFormMatchesDiffusersConversion on context_refiner.0.attn.to_k.
#include "core/io/safetensors_file.h"
#include "core/models/common/lora_fusion.h"
#include "core/models/lumina2/lumina2_lora.h"
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
    return fs::path(qEnvironmentVariable("LUMINA_FIXTURES_DIR").toStdString()) / "lumina2_lora";
}

nlohmann::json manifest() {
    return readJson(fixtures() / "manifest.json");
}

std::shared_ptr<Lumina2TransformerImpl> loadBase(at::ScalarType dtype) {
    io::LoadOptions options;
    options.dtype = dtype;
    return loadLumina2Transformer(fixtures() / "M1", options);
}

at::ScalarType dtypeOf(const std::string& name) {
    return name == "bfloat16" ? at::kBFloat16 : at::kFloat;
}

std::map<std::string, at::Tensor> tensorsOf(const fs::path& file) {
    const auto f = io::SafetensorsFile::open(file);
    std::map<std::string, at::Tensor> out;
    for (const auto& info : f->tensors())
        out[info.name] = f->tensor(info).clone();
    return out;
}

// The set of a manifest case: its LoRA files read against `model`, with their set_adapters weights.
std::vector<WeightedLora> lorasOf(const nlohmann::json& c, const Lumina2TransformerImpl& model) {
    std::vector<WeightedLora> loras;
    for (const auto& l : c["loras"])
        loras.push_back({readLumina2Lora(fixtures() / l["file"].get<std::string>(), model),
                         l["weight"].is_null() ? 1.0 : l["weight"].get<double>()});
    return loras;
}

at::Tensor forwardOf(const Lumina2TransformerImpl& model, std::map<std::string, at::Tensor>& t) {
    c10::InferenceMode guard;
    return model.forward(t.at("latents"), t.at("timestep"), t.at("caption"), t.at("mask"));
}

// The first parameter of `got` that differs (bitwise) from `want`'s, or "".
std::string firstDifferentParameter(const Lumina2TransformerImpl& got, const Lumina2TransformerImpl& want) {
    const auto wanted = want.named_parameters(true);
    for (const auto& item : got.named_parameters(true)) {
        const auto* w = wanted.find(item.key());
        if (!w || !bitwiseEqual(item.value(), *w)) return item.key();
    }
    return "";
}

} // namespace

class TestLumina2Lora : public QObject {
    Q_OBJECT
private slots:
    void fusedWeightsMatchDiffusers_data() {
        QTest::addColumn<int>("index");
        const auto m = manifest();
        for (std::size_t i = 0; i < m["cases"].size(); ++i)
            QTest::newRow(m["cases"][i]["name"].get<std::string>().c_str()) << static_cast<int>(i);
    }
    void fusedWeightsMatchDiffusers() {
        QFETCH(int, index);
        const auto c = manifest()["cases"][static_cast<std::size_t>(index)];
        const auto dtype = dtypeOf(c["dtype"].get<std::string>());
        auto model = loadBase(dtype);
        const auto loras = lorasOf(c, *model);

        // peft's scaling per module and adapter, before set_adapters and fuse_lora: lora_alpha / r (or
        // sqrt(r)).
        for (const auto& [module, perAdapter] : c["scalings"].items()) {
            for (const auto& [adapter, want] : perAdapter.items()) {
                const auto& layers = loras.at(std::stoul(adapter.substr(1))).adapter->layers;
                const auto it = std::find_if(layers.begin(), layers.end(),
                                             [&](const LoraLayer& l) { return l.module == module; });
                QVERIFY2(it != layers.end(), module.c_str());
                QCOMPARE(it->scaling(1.0), want.get<double>());
            }
        }

        auto t = tensorsOf(fixtures() / ("case_" + c["name"].get<std::string>() + ".safetensors"));
        const auto unfusedBase = forwardOf(*model, t);
        LoraFusion fusion;
        fusion.apply(*model, loras, c["scale"].get<double>());
        QVERIFY(fusion.isApplied(loras, c["scale"].get<double>()));

        // Every Linear that diffusers fused, bit for bit, and nothing else touched.
        const auto params = model->named_parameters(true);
        std::size_t fused = 0;
        for (const auto& [key, want] : t) {
            if (key.rfind("fused/", 0) != 0) continue;
            const auto* got = params.find(key.substr(6));
            QVERIFY2(got, key.c_str());
            QVERIFY2(bitwiseEqual(*got, want), key.c_str());
            ++fused;
        }
        QCOMPARE(fused, c["fused"].size());

        // The fused forward: the same weights through the port's forward, whose own difference from diffusers
        // is measured in test_lumina2 (fp32 <= 4.8e-7 max abs with padding; bf16 bitwise).
        const auto out = forwardOf(*model, t);
        const auto d = diff(out, t.at("output_fused"));
        qInfo("%s: fused forward vs diffusers fused: max abs %.3g, rel L2 %.3g; vs unfused PEFT: rel L2 %.3g",
              c["name"].get<std::string>().c_str(), d.maxAbs, d.relL2,
              diff(out, t.at("output_unfused")).relL2);
        if (dtype == at::kBFloat16) {
            QVERIFY(bitwiseEqual(out, t.at("output_fused")));
            QVERIFY(diff(out, t.at("output_unfused")).relL2 < 2e-2); // bf16 rounding of the fused weights
        } else {
            QVERIFY(d.maxAbs < 2e-6);
            QVERIFY(diff(out, t.at("output_unfused")).relL2 < 1e-5);
        }
        QVERIFY(diff(out, unfusedBase).relL2 > 1e-2); // the LoRA changes the output
    }

    void clearRestoresTheMappedBaseBitwise() {
        auto model =
            loadBase(at::kFloat); // fp32 file loaded as fp32 on the CPU: weights are views of the file
        const auto fresh = loadBase(at::kFloat);
        auto toQ =
            model->named_parameters(true)["layers.0.attn.to_q.weight"]; // shares the parameter's TensorImpl
        const void* mapped = toQ.data_ptr();
        const auto c = manifest()["cases"][5]; // two LoRAs
        LoraFusion fusion;
        fusion.apply(*model, lorasOf(c, *model), c["scale"].get<double>());
        QVERIFY(toQ.data_ptr() != mapped); // replaced, not written into the mapping
        QVERIFY(!bitwiseEqual(toQ, fresh->named_parameters(true)["layers.0.attn.to_q.weight"]));
        fusion.clear(*model);
        QVERIFY(fusion.empty());
        QCOMPARE(toQ.data_ptr(), mapped);
        QCOMPARE(firstDifferentParameter(*model, *fresh), std::string());
        // The file itself is unchanged.
        const auto stored = tensorsOf(fixtures() / "M1" / "diffusion_pytorch_model.safetensors");
        QVERIFY(bitwiseEqual(stored.at("layers.0.attn.to_q.weight"), toQ));
    }

    void changingTheSetEqualsAFreshApply() {
        auto model = loadBase(at::kBFloat16);
        auto fresh = loadBase(at::kBFloat16);
        const auto plain = readLumina2Lora(fixtures() / "plain.safetensors", *model);
        const auto alpha = readLumina2Lora(fixtures() / "alpha.safetensors", *model);
        const auto original = readLumina2Lora(fixtures() / "original.safetensors", *model);
        const std::vector<std::pair<std::vector<WeightedLora>, double>> steps{
            {{{plain, 1.0}}, 1.0},
            {{{plain, 1.0}, {alpha, 0.5}}, 1.0},
            {{{plain, 0.3}, {alpha, 0.5}}, 1.0},
            {{{plain, 0.3}, {alpha, 0.5}, {original, 1.2}}, 0.8},
            {{{alpha, 0.5}}, 0.8},
            {{}, 1.0},
        };
        LoraFusion fusion;
        for (const auto& [loras, scale] : steps) {
            fusion.apply(*model, loras, scale);
            QVERIFY(fusion.isApplied(loras, scale));
            LoraFusion once;
            once.apply(*fresh, loras, scale);
            QCOMPARE(firstDifferentParameter(*model, *fresh), std::string());
            once.clear(*fresh);
        }
        QVERIFY(fusion.empty());
        QCOMPARE(firstDifferentParameter(*model, *loadBase(at::kBFloat16)), std::string());
        // The cheap check: another weight or order is another set.
        fusion.apply(*model, {{plain, 1.0}, {alpha, 0.5}});
        QVERIFY(!fusion.isApplied({{alpha, 0.5}, {plain, 1.0}}));
        QVERIFY(!fusion.isApplied({{plain, 1.0}, {alpha, 0.6}}));
        QVERIFY(!fusion.isApplied({{plain, 1.0}, {alpha, 0.5}}, 0.9));
    }

    void publishedWidthOriginalFormMatchesDiffusersConversion() {
        const Lumina2TransformerImpl model(lumina2ImageConfig(),
                                           at::TensorOptions().dtype(at::kBFloat16).device(at::kMeta));
        const auto adapter = readLumina2Lora(fixtures() / "published_original.safetensors", model);
        const auto want = tensorsOf(fixtures() / "published_original_converted.safetensors");
        QCOMPARE(adapter->layers.size() * 2, want.size());
        for (const auto& layer : adapter->layers) {
            const auto prefix = "transformer." + layer.module;
            QVERIFY2(want.count(prefix + ".lora_A.weight"), prefix.c_str());
            QVERIFY2(bitwiseEqual(layer.down, want.at(prefix + ".lora_A.weight")), prefix.c_str());
            QVERIFY2(bitwiseEqual(layer.up, want.at(prefix + ".lora_B.weight")), prefix.c_str());
            QCOMPARE(layer.scaling(1.0), 1.0);
        }
    }

    void badFilesAreRefused_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expected");
        QTest::newRow("lora_down in the original form") << "original_lora_down.safetensors"
                                                        << "lora_down.weight' uses lora_down/lora_up names";
        QTest::newRow(".alpha in the original form") << "original_alpha.safetensors"
                                                     << "diffusion_model.layers.0.attention.out.alpha";
        QTest::newRow("incomplete original block")
            << "original_incomplete.safetensors"
            << "diffusion_model.layers.1.feed_forward.w2.lora_B.weight is missing";
        QTest::newRow("Lumina-Next original keys")
            << "original_lumina_next.safetensors"
            << "diffusion_model.layers.0.attention.qkv.lora_A.weight is missing";
        QTest::newRow("wrong shape") << "wrong_shape.safetensors"
                                     << "'layers.0.attn.to_k': lora_A [2, 60]";
        QTest::newRow(".alpha in the diffusers form")
            << "diffusers_alpha_key.safetensors"
            << "'transformer.layers.0.attn.to_k.alpha' is not a LoRA tensor";
        QTest::newRow("Lumina-Next diffusers modules") << "lumina_next_diffusers.safetensors"
                                                       << "'layers.0.attn1.to_q' does not exist";
        QTest::newRow("lora_A without lora_B")
            << "missing_lora_b.safetensors"
            << "'layers.0.attn.to_k' has lora_A.weight but no lora_B.weight";
        QTest::newRow("metadata rank") << "metadata_rank_mismatch.safetensors"
                                       << "gives 'layers.0.attn.to_k' rank 4, but its lora_A has 2 rows";
        QTest::newRow("SDXL kohya LoRA") << "sdxl_kohya.safetensors"
                                         << "has no LoRA tensors for the Lumina 2 transformer";
        QTest::newRow("empty file") << "empty.safetensors"
                                    << "has no tensors";
        QTest::newRow("truncated file") << "truncated.safetensors"
                                        << "truncated.safetensors";
        QTest::newRow("DoRA") << "dora.safetensors"
                              << "DoRA";
    }
    void badFilesAreRefused() {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        const Lumina2TransformerImpl model(Lumina2Config::fromFile(fixtures() / "M1" / "config.json"),
                                           at::TensorOptions().dtype(at::kFloat).device(at::kMeta));
        const auto path = fixtures() / "bad" / file.toStdString();
        const auto message = loadErrorOf([&] { readLumina2Lora(path, model); });
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(file), qPrintable(message));
    }

    void fusingRefusesAnAdapterThatDoesNotFit() {
        auto model = loadBase(at::kFloat);
        auto adapter =
            std::make_shared<LoraAdapter>(*readLumina2Lora(fixtures() / "plain.safetensors", *model));
        adapter->layers.back().module = "layers.0.attn.norm_q";
        LoraFusion fusion;
        const auto message = loadErrorOf([&] { fusion.apply(*model, {{adapter, 1.0}}); });
        QVERIFY2(message.contains("'layers.0.attn.norm_q'") && message.contains("not a Linear"),
                 qPrintable(message));
        QVERIFY(fusion.empty());
        QCOMPARE(firstDifferentParameter(*model, *loadBase(at::kFloat)), std::string());
    }
};

QTEST_GUILESS_MAIN(TestLumina2Lora)
#include "test_lumina2_lora.moc"
