// Single-file VAE weights in the original (ldm / BFL) key layout: the fixture script writes each tiny model's
// weights by the inverse of diffusers' convert_ldm_vae_checkpoint (checked there to round-trip through it),
// and the single-file load must equal the diffusers-folder load bit for bit (parameters, decode, encode),
// with the config inferred from the tensors; malformed files give errors naming the keys.
//
// Mutations tried: the decoder's up blocks not reversed in originalVAEKey (up.i for up_blocks.i): both
// singleFileEqualsFolder rows failed, the load refusing the file (missing and unused decoder.up.* tensors).
// The FLUX latent format given SDXL's factors in inferOriginalVAEConfig: singleFileEqualsFolder(flux) (the
// decodes differ) and inferredConfigs(flux) failed. The prefix left out of mapOriginalVAEKeys' original keys:
// prefixedPartEqualsFolder failed (every tensor missing and every prefixed one unused).
#include "core/io/weight_set.h"
#include "core/models/vae/vae_decode.h"
#include "core/models/vae/vae_encode.h"
#include "core/models/vae/vae_original_keys.h"
#include "core/models/vae/vae_single_file.h"
#include "core/util/errors.h"
#include "support/error_of.h"
#include "vae_test_util.h"

#include <ATen/CPUGeneratorImpl.h>
#include <QFile>
#include <QTemporaryDir>

using namespace lumina;
using namespace lumina::test;
using namespace lumina::models;
namespace fs = std::filesystem;

namespace {

fs::path singleFile(const std::string& name, const std::string& file = "vae.safetensors") {
    return vaetest::fixture(name) / "single" / file;
}

} // namespace

class TestVAESingleFile : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;

private slots:
    void initTestCase() {
        at::set_num_threads(1);
        QVERIFY(m_tmp.isValid());
    }

    void singleFileEqualsFolder_data() {
        QTest::addColumn<QString>("name");
        QTest::newRow("flux") << "flux";
        QTest::newRow("sdxl_single") << "sdxl_single";
    }
    void singleFileEqualsFolder() {
        QFETCH(QString, name);
        const auto n = name.toStdString();
        const auto folder = vaetest::load(n);
        io::LoadOptions options;
        options.dtype = c10::kFloat;
        const auto single = loadVAESingleFile(singleFile(n), options);
        // Every parameter filled, bit for bit, with the folder's value (attention weights viewed as Linear).
        const auto want = folder->named_parameters(true);
        const auto got = single->named_parameters(true);
        QCOMPARE(got.size(), want.size());
        for (const auto& item : want) {
            const auto* p = got.find(item.key());
            QVERIFY2(p != nullptr, item.key().c_str());
            QVERIFY2(p->sizes() == item.value().sizes() && torch::equal(*p, item.value()),
                     item.key().c_str());
        }
        // Decode (diffusion-space latents) and encode (mean and seeded sample) equal the folder's bitwise.
        const auto latents = vaetest::ref(n, "latents");
        const auto image = decodeLatentsToImage(*single, latents, {VAETiling::Never});
        QCOMPARE(vaetest::maxAbs(image, decodeLatentsToImage(*folder, latents, {VAETiling::Never})), 0.0);
        const double dRef = vaetest::maxAbs(image, vaetest::ref(n, "image01"));
        const auto input = vaetest::ref(n, "image");
        const auto seed = static_cast<uint64_t>(vaetest::ref(n, "sample_seed").item<int64_t>());
        const auto sample = encodeImageToLatents(
            *single, input, at::make_generator<at::CPUGeneratorImpl>(seed), {VAETiling::Never});
        QCOMPARE(vaetest::maxAbs(sample, encodeImageToLatents(*folder, input,
                                                              at::make_generator<at::CPUGeneratorImpl>(seed),
                                                              {VAETiling::Never})),
                 0.0);
        const double sRef = vaetest::maxAbs(sample, vaetest::ref(n, "encoded_sample"));
        qInfo("%s single file: decode vs diffusers %.3g, seeded encode vs diffusers %.3g", n.c_str(), dRef,
              sRef);
        QVERIFY(dRef <= 1e-5);
        QVERIFY(sRef <= 1e-5);
    }

    // The config comes from the tensors and the known latent formats, and equals the diffusers config.json.
    void inferredConfigs_data() { singleFileEqualsFolder_data(); }
    void inferredConfigs() {
        QFETCH(QString, name);
        const auto n = name.toStdString();
        const auto inferred = validateVAESingleFile(singleFile(n));
        const auto json = VAEConfig::fromFile(vaetest::fixture(n) / "vae" / "config.json");
        QCOMPARE(inferred.inChannels, json.inChannels);
        QCOMPARE(inferred.outChannels, json.outChannels);
        QCOMPARE(inferred.latentChannels, json.latentChannels);
        QCOMPARE(inferred.layersPerBlock, json.layersPerBlock);
        QCOMPARE(inferred.normNumGroups, json.normNumGroups);
        QCOMPARE(inferred.blockOutChannels, json.blockOutChannels);
        QCOMPARE(inferred.scalingFactor, json.scalingFactor);
        QCOMPARE(inferred.shiftFactor.has_value(), json.shiftFactor.has_value());
        if (json.shiftFactor) QCOMPARE(*inferred.shiftFactor, *json.shiftFactor);
        QCOMPARE(inferred.useQuantConv, json.useQuantConv);
        QCOMPARE(inferred.usePostQuantConv, json.usePostQuantConv);
        QCOMPARE(inferred.midBlockAddAttention, json.midBlockAddAttention);
    }

    void keyMappingIsDiffusersInverse() {
        // Four blocks, as the published SDXL and FLUX VAEs: diffusers up_blocks.0 is the original up.3.
        const std::vector<std::pair<std::string, std::string>> cases{
            {"encoder.down_blocks.0.resnets.1.norm1.weight", "encoder.down.0.block.1.norm1.weight"},
            {"encoder.down_blocks.1.resnets.0.conv_shortcut.weight",
             "encoder.down.1.block.0.nin_shortcut.weight"},
            {"encoder.down_blocks.2.downsamplers.0.conv.bias", "encoder.down.2.downsample.conv.bias"},
            {"decoder.up_blocks.0.resnets.2.conv2.weight", "decoder.up.3.block.2.conv2.weight"},
            {"decoder.up_blocks.3.resnets.0.conv_shortcut.bias", "decoder.up.0.block.0.nin_shortcut.bias"},
            {"decoder.up_blocks.1.upsamplers.0.conv.weight", "decoder.up.2.upsample.conv.weight"},
            {"decoder.mid_block.resnets.1.norm2.bias", "decoder.mid.block_2.norm2.bias"},
            {"decoder.mid_block.attentions.0.to_q.weight", "decoder.mid.attn_1.q.weight"},
            {"encoder.mid_block.attentions.0.to_out.0.bias", "encoder.mid.attn_1.proj_out.bias"},
            {"encoder.mid_block.attentions.0.group_norm.weight", "encoder.mid.attn_1.norm.weight"},
            {"decoder.conv_norm_out.weight", "decoder.norm_out.weight"},
            {"encoder.conv_in.weight", "encoder.conv_in.weight"},
            {"quant_conv.weight", "quant_conv.weight"},
            {"post_quant_conv.bias", "post_quant_conv.bias"},
        };
        for (const auto& [moduleKey, original] : cases)
            QCOMPARE(originalVAEKey(moduleKey, 4), original);
        QVERIFY_THROWS_EXCEPTION(Error, originalVAEKey("layers.0.attention.qkv.weight", 4));
        QVERIFY_THROWS_EXCEPTION(Error, originalVAEKey("decoder.up_blocks.0.attentions.0.to_q.weight", 4));
    }

    void layoutComesFromTheKeysNotTheName() {
        QCOMPARE(detectVAEKeyLayout(io::WeightSet::open(singleFile("flux"))), VAEKeyLayout::Original);
        const auto diffusersFile = vaetest::fixture("flux") / "vae" / "diffusion_pytorch_model.safetensors";
        QCOMPARE(detectVAEKeyLayout(io::WeightSet::open(diffusersFile)), VAEKeyLayout::Diffusers);
        // The original-layout file under the diffusers file name still loads as what it is ...
        const auto renamed = fs::path(m_tmp.path().toStdString()) / "diffusion_pytorch_model.safetensors";
        QVERIFY(QFile::copy(QString::fromStdString(singleFile("sdxl_single").string()),
                            QString::fromStdString(renamed.string())));
        QCOMPARE(validateVAESingleFile(renamed).latentChannels, int64_t{4});
        // ... and a diffusers-layout file is refused with the way to load it.
        const auto msg = loadErrorOf([&] { loadVAESingleFile(diffusersFile, {}); });
        QVERIFY2(msg.contains("diffusers key layout") && msg.contains("config.json"), qPrintable(msg));
    }

    void badFilesGiveClearErrors_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QStringList>("parts");
        QTest::newRow("transformer") << "flux"
                                     << "transformer.safetensors"
                                     << QStringList{"transformer.safetensors", "no AutoencoderKL tensors",
                                                    "layers.0.attention.qkv.weight", "transformer"};
        QTest::newRow("truncated") << "flux"
                                   << "truncated.safetensors"
                                   << QStringList{"truncated.safetensors",
                                                  "1 missing tensor(s): decoder.up.0.block.0.conv1.weight",
                                                  "1 unused tensor(s): model_ema.decay"};
        QTest::newRow("mixed") << "flux"
                               << "mixed.safetensors"
                               << QStringList{"mixed.safetensors", "mixes the diffusers key layout",
                                              "encoder.down_blocks.", "decoder."};
        QTest::newRow("prefixed") << "sdxl_single"
                                  << "prefixed.safetensors"
                                  << QStringList{"whole-model checkpoint", "\"first_stage_model.\""};
        QTest::newRow("unknown latent format")
            << "sdxl_single"
            << "no_quant.safetensors"
            << QStringList{"no_quant.safetensors", "4 latent channels without quant_conv",
                           "scaling factor is unknown"};
    }
    void badFilesGiveClearErrors() {
        QFETCH(QString, name);
        QFETCH(QString, file);
        QFETCH(QStringList, parts);
        const auto path = singleFile(name.toStdString(), file.toStdString());
        const auto msg = loadErrorOf([&] { loadVAESingleFile(path, {}); });
        for (const auto& part : parts)
            QVERIFY2(msg.contains(part), qPrintable(QString("missing '%1' in: %2").arg(part, msg)));
        QCOMPARE(loadErrorOf([&] { validateVAESingleFile(path); }), msg);
    }

    // The VAE part of a whole checkpoint, read under its prefix (the other tensors would be left unread).
    void prefixedPartEqualsFolder() {
        const auto path = singleFile("sdxl_single", "prefixed.safetensors");
        const auto folder = vaetest::load("sdxl_single");
        const auto part = loadVAESingleFile(path, {}, "first_stage_model.");
        const auto want = folder->named_parameters(true);
        const auto got = part->named_parameters(true);
        QCOMPARE(got.size(), want.size());
        for (const auto& item : want) {
            const auto* p = got.find(item.key());
            QVERIFY2(p && p->sizes() == item.value().sizes() && torch::equal(*p, item.value()),
                     item.key().c_str());
        }
        QCOMPARE(validateVAESingleFile(path, "first_stage_model.").latentChannels, int64_t{4});
        const auto wrong = loadErrorOf([&] { validateVAESingleFile(path, "vae."); });
        QVERIFY2(wrong.contains("under \"vae.\""), qPrintable(wrong));
    }

    void renameOptionIsRefused() {
        io::LoadOptions options;
        options.rename = [](const std::string& k) { return k; };
        QVERIFY_THROWS_EXCEPTION(ModelLoadError, loadVAESingleFile(singleFile("flux"), options));
    }
};

QTEST_GUILESS_MAIN(TestVAESingleFile)
#include "test_vae_single_file.moc"
