// Lumina-Image 2.0 from single files (docs/lumina2.md, Single-file weights) on the fixtures of
// tests/python/make_lumina2_files_fixtures.py: the Gemma 2 text encoder in ComfyUI's key layout
// (core/models/gemma/gemma_single_file.h) equal bit for bit to its diffusers folder and hidden_states[-2]
// within 1e-6 of transformers' Gemma2Model; the embedded SentencePiece tokenizer
// (core/text/embedded_tokenizer.h) giving transformers' ids from the diffusers tokenizer folder; an
// all-in-one checkpoint inspected by its keys and each of its parts equal to its folder load
// (core/models/single_file/); the errors for truncated files, leftover tensors, a file given as the wrong
// component and a missing tokenizer.
//
// Mutations tried (each made the named tests fail, then was restored):
// - the odd layers made the sliding ones in inferGemmaSingleFileConfig (Gemma2Config's default is the even
//   ones): gemmaConfigFromShapes and gemmaSingleFileEqualsFolder (the encodings differ; the window of 4 is
//   shorter than the prompts) failed.
// - readEmbeddedTokenizerDefinition without Gemma's add_bos_token (transformers' default then adds no <bos>):
//   embeddedTokenizerMatchesTransformers and allInOnePartsEqualFolders failed on the first prompt.
// - logit_scale left off the ignore list of inspectWeights: inspectsAllInOne failed (one unknown tensor) and
//   allInOnePartsEqualFolders (the checkpoint refused for that tensor).
// - the prefix left out of the VAE's original keys (mapOriginalVAEKeys): allInOnePartsEqualFolders failed, as
//   did prefixedPartEqualsFolder in tests/vae/test_vae_single_file.cpp.
#include "core/models/gemma/gemma_single_file.h"
#include "core/models/lumina2/lumina2_model.h"
#include "core/models/single_file/lumina2_files.h"
#include "core/models/single_file/single_file_contents.h"
#include "core/models/vae/autoencoder_kl.h"
#include "core/models/vae/vae_single_file.h"
#include "core/text/embedded_tokenizer.h"
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
    return fs::path(qEnvironmentVariable("LUMINA_FIXTURES_DIR").toStdString()) / "lumina2_files";
}

const nlohmann::json& manifest() {
    static const auto m = readJson(fixtures() / "manifest.json");
    return m;
}

// What the tiny encoder's file cannot state, as the published values stand in for the real file.
GemmaConfig tinyGemmaUnstored() {
    const auto& g = manifest()["gemma"];
    auto c = publishedGemma2Config();
    c.headDim = g["head_dim"].get<int64_t>();
    c.queryPreAttnScalar = g["query_pre_attn_scalar"].get<double>();
    c.attnLogitSoftcap = g["attn_logit_softcapping"].get<double>();
    c.slidingWindow = g["sliding_window"].get<int64_t>();
    c.rmsNormEps = g["rms_norm_eps"].get<double>();
    c.ropeTheta = g["rope_theta"].get<double>();
    return c;
}

Lumina2Config tinyTransformerUnstored() {
    const auto& t = manifest()["transformer"];
    auto c = lumina2ImageConfig();
    for (std::size_t i = 0; i < 3; ++i) {
        c.axesDimRope[i] = t["axes_dim_rope"][i].get<int64_t>();
        c.axesLens[i] = t["axes_lens"][i].get<int64_t>();
    }
    c.normEps = t["norm_eps"].get<double>();
    return c;
}

// Every parameter and buffer of `got` bitwise equal to `want`'s; returns the first differing key, or "".
std::string firstDifference(const torch::nn::Module& got, const torch::nn::Module& want) {
    const auto wanted = want.named_parameters(true);
    const auto have = got.named_parameters(true);
    for (const auto& item : have) {
        const auto* w = wanted.find(item.key());
        if (!w || !bitwiseEqual(item.value(), *w)) return item.key();
    }
    return have.size() == wanted.size() ? "" : "(parameter count)";
}

std::vector<std::vector<int>> manifestIds() {
    std::vector<std::vector<int>> out;
    for (const auto& row : manifest()["ids"])
        out.push_back(row.get<std::vector<int>>());
    return out;
}

std::vector<std::string> prompts() {
    return manifest()["prompts"].get<std::vector<std::string>>();
}

// The tokenizer's ids for every prompt of the manifest, compared with transformers'; "" when all equal.
std::string idsMismatch(const text::GemmaTokenizer& tokenizer) {
    const auto want = manifestIds();
    const auto texts = prompts();
    for (std::size_t i = 0; i < texts.size(); ++i)
        if (tokenizer.tokenize(texts[i], 1 << 20).ids != want[i]) return "prompt " + std::to_string(i);
    return "";
}

bool contains(const QString& message, const std::string& part) {
    return message.contains(QString::fromStdString(part));
}

} // namespace

class TestLumina2Files : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { at::set_num_threads(1); }

    void gemmaConfigFromShapes() {
        const auto c = validateGemmaSingleFile(fixtures() / "gemma2_comfy.safetensors", std::nullopt,
                                               tinyGemmaUnstored());
        const auto want = GemmaConfig::fromFile(fixtures() / "text_encoder" / "config.json");
        QVERIFY(c.isGemma2());
        QCOMPARE(c.vocabSize, want.vocabSize);
        QCOMPARE(c.hiddenSize, want.hiddenSize);
        QCOMPARE(c.intermediateSize, want.intermediateSize);
        QCOMPARE(c.numHiddenLayers, want.numHiddenLayers);
        QCOMPARE(c.numAttentionHeads, want.numAttentionHeads);
        QCOMPARE(c.numKeyValueHeads, want.numKeyValueHeads);
        QCOMPARE(c.slidingLayers, want.slidingLayers);
        // The published values the real file relies on.
        const auto p = publishedGemma2Config();
        QCOMPARE(p.headDim, int64_t{256});
        QCOMPARE(p.queryPreAttnScalar, 256.0);
        QCOMPARE(*p.attnLogitSoftcap, 50.0);
        QCOMPARE(*p.slidingWindow, int64_t{4096});
    }

    void gemmaSingleFileEqualsFolder() {
        const auto folder = loadGemma(fixtures() / "text_encoder", {});
        const auto single = loadGemmaSingleFile(fixtures() / "gemma2_comfy.safetensors", {}, std::nullopt,
                                                tinyGemmaUnstored());
        const auto differing = firstDifference(*single, *folder);
        QVERIFY2(differing.empty(), differing.c_str());
        const auto ref = io::SafetensorsFile::open(fixtures() / "reference.safetensors");
        const auto ids = ref->tensor("ids"), mask = ref->tensor("mask");
        const auto got = single->encode(ids, mask);
        QVERIFY(bitwiseEqual(got, folder->encode(ids, mask)));
        // Against transformers' Gemma2Model, valid positions only (padded rows are unspecified).
        const auto valid = mask.to(torch::kBool).unsqueeze(-1).expand_as(got);
        const double d = (got - ref->tensor("hidden_m2")).abs().masked_select(valid).max().item<double>();
        qInfo("hidden_states[-2] max |diff| vs transformers: %g", d);
        QVERIFY(d <= 1e-6);
    }

    void gemmaPartOfAllInOne() {
        const auto folder = loadGemma(fixtures() / "text_encoder", {});
        const auto file = fixtures() / "all_in_one.safetensors";
        const auto detected = loadGemmaSingleFile(file, {}, std::nullopt, tinyGemmaUnstored());
        const auto named =
            loadGemmaSingleFile(file, {}, "text_encoders.gemma2_2b.transformer.model.", tinyGemmaUnstored());
        for (const auto* model : {detected.get(), named.get()}) {
            const auto differing = firstDifference(*model, *folder);
            QVERIFY2(differing.empty(), differing.c_str());
        }
    }

    void embeddedTokenizerMatchesTransformers() {
        const auto comfy = text::loadEmbeddedTokenizer(fixtures() / "gemma2_comfy.safetensors");
        auto mismatch = idsMismatch(comfy);
        QVERIFY2(mismatch.empty(), mismatch.c_str());
        const auto checkpoint = text::loadEmbeddedTokenizer(fixtures() / "all_in_one.safetensors");
        mismatch = idsMismatch(checkpoint);
        QVERIFY2(mismatch.empty(), mismatch.c_str());
        // The same ids as our folder load of the tokenizer.json transformers wrote, and the same specials.
        const auto folder = text::GemmaTokenizer::load(fixtures() / "tokenizer");
        mismatch = idsMismatch(folder);
        QVERIFY2(mismatch.empty(), mismatch.c_str());
        QCOMPARE(comfy.bosId(), folder.bosId());
        QCOMPARE(comfy.padId(), folder.padId());
        QCOMPARE(comfy.vocabularySize(), folder.vocabularySize());
        const auto texts = prompts();
        const std::vector<std::string> batch(texts.begin(), texts.begin() + 4);
        QVERIFY(bitwiseEqual(comfy.encodePrompts(batch).ids, folder.encodePrompts(batch).ids));
    }

    void missingTokenizerIsExplained() {
        const auto message =
            loadErrorOf([] { text::loadEmbeddedTokenizer(fixtures() / "gemma2_no_tokenizer.safetensors"); });
        QVERIFY2(contains(message, "gemma2_no_tokenizer.safetensors") &&
                     contains(message, "tokenizer folder"),
                 qPrintable(message));
        const auto notBytes = loadErrorOf([] {
            text::loadEmbeddedTokenizer(fixtures() / "all_in_one.safetensors",
                                        "text_encoders.gemma2_2b.logit_scale");
        });
        QVERIFY2(contains(notBytes, "uint8"), qPrintable(notBytes));
    }

    void inspectsAllInOne() {
        const auto contents = inspectSingleFile(fixtures() / "all_in_one.safetensors");
        QVERIFY2(contents.unknownKeys.empty(), contents.describe().c_str());
        QCOMPARE(contents.components.size(), std::size_t{4});
        const auto* transformer = contents.find(FileComponentKind::Transformer);
        const auto* encoder = contents.find(FileComponentKind::TextEncoder);
        const auto* vae = contents.find(FileComponentKind::VAE);
        const auto* tokenizer = contents.find(FileComponentKind::Tokenizer);
        QVERIFY(transformer && encoder && vae && tokenizer);
        QCOMPARE(transformer->family, FileModelFamily::Lumina2);
        QCOMPARE(transformer->prefix, std::string("model.diffusion_model."));
        QCOMPARE(encoder->family, FileModelFamily::Gemma2);
        QCOMPARE(encoder->prefix, std::string("text_encoders.gemma2_2b.transformer.model."));
        QCOMPARE(vae->family, FileModelFamily::FluxVAE);
        QCOMPARE(vae->prefix, std::string("vae."));
        QCOMPARE(tokenizer->prefix, std::string("text_encoders.spiece_model"));
        QCOMPARE(contents.ignoredKeys, std::vector<std::string>{"text_encoders.gemma2_2b.logit_scale"});
        // Every tensor counted exactly once.
        std::size_t counted = contents.ignoredKeys.size();
        for (const auto& c : contents.components)
            counted += c.tensorCount;
        QCOMPARE(counted, manifest()["all_in_one_tensors"].get<std::size_t>());
        QCOMPARE(contents.tensorCount, counted);
    }

    void inspectsSplitFiles() {
        const auto te = inspectSingleFile(fixtures() / "gemma2_comfy.safetensors");
        QCOMPARE(te.components.size(), std::size_t{2});
        QCOMPARE(te.find(FileComponentKind::TextEncoder)->prefix, std::string("model."));
        QCOMPARE(te.find(FileComponentKind::Tokenizer)->prefix, std::string("spiece_model"));
        const auto vae = inspectSingleFile(fixtures() / "vae_flux.safetensors");
        QCOMPARE(vae.components.size(), std::size_t{1});
        QCOMPARE(vae.find(FileComponentKind::VAE)->family, FileModelFamily::FluxVAE);
        QCOMPARE(vae.find(FileComponentKind::VAE)->prefix, std::string());
        const auto transformer = inspectSingleFile(fixtures() / "transformer_original.safetensors");
        QCOMPARE(transformer.components.size(), std::size_t{1});
        QCOMPARE(transformer.find(FileComponentKind::Transformer)->family, FileModelFamily::Lumina2);
        QCOMPARE(transformer.find(FileComponentKind::Transformer)->prefix, std::string());
        QCOMPARE(transformer.find(FileComponentKind::Transformer)->tensorCount, transformer.tensorCount);
        const auto diffusers =
            inspectSingleFile(fixtures() / "transformer" / "diffusion_pytorch_model.safetensors");
        QCOMPARE(diffusers.find(FileComponentKind::Transformer)->family, FileModelFamily::Lumina2Diffusers);
        QVERIFY(diffusers.unknownKeys.empty());
    }

    void allInOnePartsEqualFolders() {
        Lumina2FileSelection selection;
        selection.checkpoint = fixtures() / "all_in_one.safetensors";
        const auto files = resolveLumina2Files(selection);
        QCOMPARE(files.transformer.prefix, std::string("model.diffusion_model."));
        QCOMPARE(files.vae.prefix, std::string("vae."));
        QVERIFY(files.embeddedTokenizer && !files.tokenizerFolder);
        validateLumina2Files(files, tinyTransformerUnstored(), tinyGemmaUnstored());

        const auto transformer = loadLumina2TransformerPart(files, {}, tinyTransformerUnstored());
        auto differing =
            firstDifference(*transformer, *loadLumina2Transformer(fixtures() / "transformer", {}));
        QVERIFY2(differing.empty(), differing.c_str());
        const auto encoder = loadLumina2TextEncoderPart(files, {}, tinyGemmaUnstored());
        differing = firstDifference(*encoder, *loadGemma(fixtures() / "text_encoder", {}));
        QVERIFY2(differing.empty(), differing.c_str());
        const auto vae = loadLumina2VAEPart(files, {});
        const auto vaeFolder = loadVAE(fixtures() / "vae", {});
        differing = firstDifference(*vae, *vaeFolder);
        QVERIFY2(differing.empty(), differing.c_str());
        QCOMPARE(vae->config().scalingFactor, vaeFolder->config().scalingFactor);
        const auto mismatch = idsMismatch(loadLumina2TokenizerPart(files));
        QVERIFY2(mismatch.empty(), mismatch.c_str());
    }

    void splitFilesResolve() {
        // Separate files win over the checkpoint's parts; the tokenizer travels with the text encoder.
        Lumina2FileSelection selection;
        selection.checkpoint = fixtures() / "all_in_one.safetensors";
        selection.textEncoder = fixtures() / "gemma2_comfy.safetensors";
        selection.vae = fixtures() / "vae_flux.safetensors";
        const auto files = resolveLumina2Files(selection);
        QCOMPARE(files.textEncoder.prefix, std::string("model."));
        QCOMPARE(files.vae.file, *selection.vae);
        QCOMPARE(files.vae.prefix, std::string());
        QCOMPARE(files.embeddedTokenizer->file, *selection.textEncoder);
        selection.tokenizerFolder = fixtures() / "tokenizer";
        const auto withFolder = resolveLumina2Files(selection);
        QVERIFY(withFolder.tokenizerFolder && !withFolder.embeddedTokenizer);

        // Split files alone, no checkpoint.
        Lumina2FileSelection split;
        split.transformer = fixtures() / "transformer_original.safetensors";
        split.textEncoder = fixtures() / "gemma2_comfy.safetensors";
        split.vae = fixtures() / "vae_flux.safetensors";
        const auto splitFiles = resolveLumina2Files(split);
        QCOMPARE(splitFiles.transformer.prefix, std::string());
        validateLumina2Files(splitFiles, tinyTransformerUnstored(), tinyGemmaUnstored());
        const auto transformer = loadLumina2TransformerPart(splitFiles, {}, tinyTransformerUnstored());
        const auto differing =
            firstDifference(*transformer, *loadLumina2Transformer(fixtures() / "transformer", {}));
        QVERIFY2(differing.empty(), differing.c_str());
        const auto mismatch = idsMismatch(loadLumina2TokenizerPart(splitFiles));
        QVERIFY2(mismatch.empty(), mismatch.c_str());
    }

    void badFilesAreRefusedByName() {
        const auto truncated = loadErrorOf([] {
            Lumina2FileSelection s;
            s.checkpoint = fixtures() / "bad_truncated.safetensors";
            resolveLumina2Files(s);
        });
        QVERIFY2(contains(truncated, "bad_truncated.safetensors"), qPrintable(truncated));

        const auto leftover = loadErrorOf([] {
            Lumina2FileSelection s;
            s.checkpoint = fixtures() / "bad_leftover.safetensors";
            resolveLumina2Files(s);
        });
        QVERIFY2(contains(leftover, "bad_leftover.safetensors") &&
                     contains(leftover, "cond_stage_model.extra.weight"),
                 qPrintable(leftover));

        const auto encoderLeftover = loadErrorOf([] {
            Lumina2FileSelection s;
            s.checkpoint = fixtures() / "bad_text_encoder_leftover.safetensors";
            loadLumina2TextEncoderPart(resolveLumina2Files(s), {}, tinyGemmaUnstored());
        });
        QVERIFY2(
            contains(encoderLeftover, "unused") &&
                contains(encoderLeftover, "text_encoders.gemma2_2b.transformer.model.layers.0.extra.weight"),
            qPrintable(encoderLeftover));

        const auto vaeAsEncoder = loadErrorOf([] {
            Lumina2FileSelection s;
            s.checkpoint = fixtures() / "all_in_one.safetensors";
            s.textEncoder = fixtures() / "vae_flux.safetensors";
            resolveLumina2Files(s);
        });
        QVERIFY2(contains(vaeAsEncoder, "vae_flux.safetensors") &&
                     contains(vaeAsEncoder, "was given as the text encoder") &&
                     contains(vaeAsEncoder, "FLUX-format VAE"),
                 qPrintable(vaeAsEncoder));
        const auto vaeToGemma =
            loadErrorOf([] { loadGemmaSingleFile(fixtures() / "vae_flux.safetensors", {}); });
        QVERIFY2(contains(vaeToGemma, "no text-encoder tensors"), qPrintable(vaeToGemma));

        const auto diffusersTransformer = loadErrorOf([] {
            Lumina2FileSelection s;
            s.checkpoint = fixtures() / "all_in_one.safetensors";
            s.transformer = fixtures() / "transformer" / "diffusion_pytorch_model.safetensors";
            resolveLumina2Files(s);
        });
        QVERIFY2(contains(diffusersTransformer, "diffusers layout"), qPrintable(diffusersTransformer));

        const auto noTokenizer = loadErrorOf([] {
            Lumina2FileSelection s;
            s.transformer = fixtures() / "all_in_one.safetensors";
            s.vae = fixtures() / "all_in_one.safetensors";
            s.textEncoder = fixtures() / "gemma2_no_tokenizer.safetensors";
            resolveLumina2Files(s);
        });
        QVERIFY2(contains(noTokenizer, "no tokenizer") &&
                     contains(noTokenizer, "gemma2_no_tokenizer.safetensors") &&
                     contains(noTokenizer, "tokenizer folder"),
                 qPrintable(noTokenizer));

        const auto nothing = loadErrorOf([] { resolveLumina2Files({}); });
        QVERIFY2(contains(nothing, "no transformer given"), qPrintable(nothing));
    }
};

QTEST_GUILESS_MAIN(TestLumina2Files)
#include "test_lumina2_files.moc"
