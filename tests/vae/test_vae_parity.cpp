// AutoencoderKL decode/encode against diffusers on tiny random models (<= 1e-5 abs, fp32 CPU),
// loading through the real loader (legacy attention names included), plus the loader's error paths. The
// flux rows are the FLUX / Lumina-Image 2.0 layout (16 latent channels, no quant convs, shift factor).
//
// Mutation tried: the ResNet block's second SiLU left out: decodeAndEncodeMatchDiffusers failed for every
// config, and bf16RunsAndStaysClose. Encoded latents: std = exp(logvar) instead of exp(0.5 * logvar) made
// encodedLatentsMatchDiffusers fail for every config (sample only; the mean rows still passed).
// FLUX rows: the shift factor left out of decodeLatentsToImage: decodeAndEncodeMatchDiffusers failed for
// flux, flux_x8 and v4_legacy (image01), the configs with a shift factor.
#include "core/models/vae/autoencoder_kl.h"
#include "core/models/vae/vae_decode.h"
#include "core/models/vae/vae_encode.h"
#include "core/models/vae/vae_layers.h"
#include "core/util/errors.h"
#include "vae_test_util.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace lumina;
using namespace lumina::models;
namespace fs = std::filesystem;

class TestVAEParity : public QObject {
    Q_OBJECT
    fs::path m_tmp;

    // A copy of a fixture's vae/ folder whose config.json is edited by `edit`.
    fs::path editedCopy(const std::string& name, const std::function<void(nlohmann::json&)>& edit) {
        const auto dst = m_tmp / (name + std::to_string(rand()));
        fs::create_directories(dst);
        fs::copy(vaetest::fixture(name) / "vae", dst, fs::copy_options::recursive);
        nlohmann::json j;
        std::ifstream(dst / "config.json") >> j;
        edit(j);
        std::ofstream(dst / "config.json") << j.dump();
        return dst;
    }

private slots:
    void initTestCase() {
        at::set_num_threads(1);
        m_tmp = fs::temp_directory_path() / ("lumina_vae_test_" + std::to_string(::getpid()));
        fs::create_directories(m_tmp);
    }
    // QDir, not std::filesystem::remove_all: libtorch.so exports its own copy of the latter, which crashes
    // here.
    void cleanupTestCase() { QDir(QString::fromStdString(m_tmp.string())).removeRecursively(); }

    void decodeAndEncodeMatchDiffusers_data() {
        QTest::addColumn<QString>("name");
        for (const char* n : {"v1", "v3", "v4_legacy", "v2_noattn", "flux", "flux_x8", "sdxl_single"})
            QTest::newRow(n) << QString(n);
    }
    void decodeAndEncodeMatchDiffusers() {
        QFETCH(QString, name);
        const auto n = name.toStdString();
        const auto vae = vaetest::load(n);
        const auto& c = vae->config();
        const auto latents = vaetest::ref(n, "latents");
        auto z = latents / c.scalingFactor;
        if (c.shiftFactor) z = z + *c.shiftFactor;
        const double dec = vaetest::maxAbs(vae->decode(z), vaetest::ref(n, "decoded"));
        const auto image = decodeLatentsToImage(*vae, latents, {VAETiling::Never});
        const double img = vaetest::maxAbs(image, vaetest::ref(n, "image01"));
        const auto [mean, logvar] = vae->encode(vaetest::ref(n, "image"));
        const double dm = vaetest::maxAbs(mean, vaetest::ref(n, "mean"));
        const double dl = vaetest::maxAbs(logvar, vaetest::ref(n, "logvar"));
        qInfo("%s: max abs decode %.3g, image01 %.3g, mean %.3g, logvar %.3g", n.c_str(), dec, img, dm, dl);
        QVERIFY(dec <= 1e-5);
        QVERIFY(img <= 1e-5);
        QVERIFY(dm <= 1e-5);
        QVERIFY(dl <= 1e-5);
        QCOMPARE(image.scalar_type(), c10::kFloat);
        QVERIFY(image.device().is_cpu());
        // Auto mode keeps the exact path for small images.
        QCOMPARE(vaetest::maxAbs(decodeLatentsToImage(*vae, latents, {}), image), 0.0);
        validateVAE(vaetest::fixture(n) / "vae");
    }

    // Diffusion-space latents as StableDiffusion3Img2ImgPipeline makes them: the posterior mean, and a sample
    // drawn from a seeded CPU generator (retrieve_latents), minus the shift factor, times the scaling factor.
    void encodedLatentsMatchDiffusers_data() {
        QTest::addColumn<QString>("name");
        for (const char* n : {"v1", "v3", "v4_legacy", "v2_noattn", "flux", "flux_x8", "sdxl_single"})
            QTest::newRow(n) << QString(n);
    }
    void encodedLatentsMatchDiffusers() {
        QFETCH(QString, name);
        const auto n = name.toStdString();
        const auto vae = vaetest::load(n);
        const auto image = vaetest::ref(n, "image");
        const auto mean = encodeImageToLatents(*vae, image, std::nullopt, {VAETiling::Never});
        const auto seed = static_cast<uint64_t>(vaetest::ref(n, "sample_seed").item<int64_t>());
        const auto sample = encodeImageToLatents(*vae, image, at::make_generator<at::CPUGeneratorImpl>(seed),
                                                 {VAETiling::Never});
        const double dm = vaetest::maxAbs(mean, vaetest::ref(n, "encoded_mean"));
        const double ds = vaetest::maxAbs(sample, vaetest::ref(n, "encoded_sample"));
        qInfo("%s: encoded mean max abs %.3g, seeded sample %.3g", n.c_str(), dm, ds);
        QVERIFY(dm <= 1e-5);
        QVERIFY(ds <= 1e-5);
        // The sample is not the mean: the generator is used.
        QVERIFY(vaetest::maxAbs(mean, sample) > 1e-3);
    }

    void bf16RunsAndStaysClose() {
        const auto vae = vaetest::load("v1", c10::kBFloat16);
        QCOMPARE(vae->dtype(), c10::kBFloat16);
        const auto image = decodeLatentsToImage(*vae, vaetest::ref("v1", "latents"), {});
        const double d = vaetest::maxAbs(image, vaetest::ref("v1", "image01"));
        qInfo("bf16 vs fp32 reference image max abs %.3g", d);
        QVERIFY(d < 0.1);
    }

    // The FLUX VAE's published settings (Lumina-Image-2.0 vae/config.json) and the same keys read through
    // fromFile (the flux fixture's config.json, written by diffusers from FLUX's values).
    void fluxConfigIsLuminaImage2() {
        const auto flux = VAEConfig::flux();
        QCOMPARE(flux.latentChannels, int64_t{16});
        QCOMPARE(flux.blockOutChannels, (std::vector<int64_t>{128, 256, 512, 512}));
        QCOMPARE(flux.layersPerBlock, int64_t{2});
        QCOMPARE(flux.normNumGroups, int64_t{32});
        QVERIFY(!flux.useQuantConv && !flux.usePostQuantConv && flux.midBlockAddAttention);
        QCOMPARE(flux.scalingFactor, 0.3611);
        QCOMPARE(flux.shiftFactor.value_or(0), 0.1159);
        QCOMPARE(flux.spatialFactor(), int64_t{8});
        const auto tiny = VAEConfig::fromFile(vaetest::fixture("flux") / "vae" / "config.json");
        QCOMPARE(tiny.latentChannels, int64_t{16});
        QVERIFY(!tiny.useQuantConv && !tiny.usePostQuantConv);
        QCOMPARE(tiny.scalingFactor, flux.scalingFactor);
        QCOMPARE(tiny.shiftFactor.value_or(0), *flux.shiftFactor);
        QVERIFY(!VAEConfig::sdxl().shiftFactor);
    }

    void fp16FallsBackToFp32() { QCOMPARE(vaetest::load("v1", c10::kHalf)->dtype(), c10::kFloat); }

    void legacyNamesAreRenamed() {
        QCOMPARE(renameLegacyVAEKey("decoder.mid_block.attentions.0.query.weight"),
                 std::string("decoder.mid_block.attentions.0.to_q.weight"));
        QCOMPARE(renameLegacyVAEKey("encoder.mid_block.attentions.0.proj_attn.bias"),
                 std::string("encoder.mid_block.attentions.0.to_out.0.bias"));
        QCOMPARE(renameLegacyVAEKey("decoder.up_blocks.0.resnets.0.conv1.weight"),
                 std::string("decoder.up_blocks.0.resnets.0.conv1.weight"));
    }

    void chunkedAttentionMatchesFullAttention() {
        torch::manual_seed(0);
        const auto q = torch::randn({2, 1, 300, 16}), k = torch::randn({2, 1, 300, 16}),
                   v = torch::randn({2, 1, 300, 16});
        const auto full = vae::chunkedAttention(q, k, v, uint64_t{1} << 40);
        // 7 rows per chunk (not a divisor of 300): the last chunk is shorter.
        const auto chunked = vae::chunkedAttention(q, k, v, 300 * 4 * 2 * 7);
        const double d = vaetest::maxAbs(full, chunked);
        qInfo("chunked vs full attention max abs %.3g", d);
        QVERIFY(d <= 1e-6);
        QVERIFY(vaetest::maxAbs(full, at::scaled_dot_product_attention(q, k, v)) <= 1e-6);
    }

    void mismatchedConfigIsAClearError() {
        const auto dir = editedCopy("v1", [](nlohmann::json& j) { j["block_out_channels"] = {32, 32}; });
        try {
            loadVAE(dir, {});
            QFAIL("expected ModelLoadError");
        } catch (const ModelLoadError& e) {
            const QString msg = e.what();
            QVERIFY2(msg.contains("mis-shaped") && msg.contains("decoder."), qPrintable(msg));
        }
        QVERIFY_THROWS_EXCEPTION(ModelLoadError, validateVAE(dir));
    }

    void unsupportedConfigsAreRefused_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::newRow("act_fn") << "act_fn"
                                << "\"gelu\"";
        QTest::newRow("up_block_types") << "up_block_types"
                                        << "[\"UpDecoderBlock2D\"]";
        QTest::newRow("norm_num_groups") << "norm_num_groups"
                                         << "7";
        QTest::newRow("class") << "_class_name"
                               << "\"AutoencoderTiny\"";
    }
    void unsupportedConfigsAreRefused() {
        QFETCH(QString, key);
        QFETCH(QString, value);
        const auto dir = editedCopy("v1", [&](nlohmann::json& j) {
            j[key.toStdString()] = nlohmann::json::parse(value.toStdString());
        });
        try {
            loadVAE(dir, {});
            QFAIL("expected ModelLoadError");
        } catch (const ModelLoadError& e) {
            QVERIFY2(QString(e.what()).contains(key) && QString(e.what()).contains("config.json"), e.what());
        }
    }

    void missingFolderIsAClearError() {
        QVERIFY_THROWS_EXCEPTION(ModelLoadError, loadVAE(m_tmp / "nope", {}));
        const auto vae = vaetest::load("v1");
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, vae->decode(torch::zeros({1, 3, 4, 4})));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, vae->encode(torch::zeros({1, 3, 5, 4})));
        QVERIFY_THROWS_EXCEPTION(InvalidRequest, decodeLatentsToImage(*vae, torch::zeros({4, 4}), {}));
    }
};

QTEST_GUILESS_MAIN(TestVAEParity)
#include "test_vae_parity.moc"
