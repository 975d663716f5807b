// Live previews: the latent->RGB projection against values computed by hand from ComfyUI's SDXL
// factors (comfy/latent_formats.py, class SDXL; exact) and, for 16-channel FLUX latents, against the fixture
// script's torch computation with ComfyUI's Flux factors; display sizing, its cost, and the reduced-size full
// decode.
//
// Mutation tried: the 16-channel table's rows 3 and 4 swapped in latent_preview.h:
// flux16ProjectionMatchesTorch failed (max difference 8 levels).
#include "core/models/vae/latent_preview.h"
#include "core/models/vae/vae_decode.h"
#include "core/util/errors.h"
#include "support/timing_bound.h"
#include "vae_test_util.h"

#include <chrono>
#include <cmath>

using namespace lumina::models;

namespace {

// ComfyUI's SDXL latent_rgb_factors and bias, typed independently of the implementation's constants.
const double kF[4][3] = {{0.3651, 0.4232, 0.4341},
                         {-0.2533, -0.0042, 0.1068},
                         {0.1076, 0.1111, -0.0362},
                         {-0.3165, -0.2492, -0.2188}};
const double kB[3] = {0.1084, -0.0175, -0.0011};

int expected(const std::array<double, 4>& l, int c) {
    double v = kB[c];
    for (int k = 0; k < 4; ++k)
        v += l[k] * kF[k][c];
    v = std::clamp(v, -1.0, 1.0);
    return static_cast<int>(std::nearbyint((v + 1.0) * 127.5));
}

} // namespace

class TestVAEPreview : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { at::set_num_threads(1); }

    void projectionMatchesHandComputedValues() {
        const std::vector<std::array<double, 4>> pixels{{0, 0, 0, 0}, {1, 0, 0, 0}, {0.5, -1, 2, 0.25},
                                                        {5, 0, 0, 0}, {0, 0, 0, 5}, {-0.7, 0.3, -0.2, 1.1}};
        auto x0 = torch::empty({1, 4, 2, 3});
        for (int i = 0; i < 6; ++i)
            for (int k = 0; k < 4; ++k)
                x0[0][k][i / 3][i % 3] = static_cast<float>(pixels[size_t(i)][size_t(k)]);
        const auto img = latentPreview(x0, 4, 3); // longest edge already 3: no resize
        QCOMPARE(img.width, 3);
        QCOMPARE(img.height, 2);
        QCOMPARE(img.pixels.size(), size_t{18});
        for (int i = 0; i < 6; ++i)
            for (int c = 0; c < 3; ++c)
                QCOMPARE(int(img.pixels[size_t(i * 3 + c)]), expected(pixels[size_t(i)], c));
        // Worked by hand: zero latent -> bias only; (1,0,0,0) -> first row + bias; saturation both ways.
        QCOMPARE(int(img.pixels[0]), 141);
        QCOMPARE(int(img.pixels[1]), 125);
        QCOMPARE(int(img.pixels[2]), 127);
        QCOMPARE(int(img.pixels[3]), 188);
        QCOMPARE(int(img.pixels[4]), 179);
        QCOMPARE(int(img.pixels[5]), 183);
        QCOMPARE(int(img.pixels[6]), 214);
        QCOMPARE(int(img.pixels[7]), 173);
        QCOMPARE(int(img.pixels[8]), 125);
        for (int c = 0; c < 3; ++c)
            QCOMPARE(int(img.pixels[size_t(9 + c)]), 255);
        for (int c = 0; c < 3; ++c)
            QCOMPARE(int(img.pixels[size_t(12 + c)]), 0);
        // A (4, h, w) tensor and a batch (first image) give the same preview.
        QCOMPARE(latentPreview(x0[0], 4, 3).pixels, img.pixels);
        QCOMPARE(latentPreview(torch::cat({x0, torch::zeros_like(x0)}), 4, 3).pixels, img.pixels);
    }

    void previewIsSizedForDisplayAndCheap() {
        const auto x0 = torch::randn({1, 4, 128, 96});
        const auto big = latentPreview(x0, 4);
        QCOMPARE(big.width, 384);
        QCOMPARE(big.height, 512);
        QCOMPARE(big.pixels.size(), size_t(384 * 512 * 3));
        const auto small = latentPreview(x0, 4, 64);
        QCOMPARE(small.width, 48);
        QCOMPARE(small.height, 64);
        // A constant latent stays constant through the resize.
        const auto flat = latentPreview(torch::zeros({1, 4, 16, 16}), 4, 100);
        QCOMPARE(flat.width, 100);
        for (size_t i = 0; i < flat.pixels.size(); i += 3)
            QCOMPARE(int(flat.pixels[i]), 141);
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < 20; ++i)
            latentPreview(x0, 4);
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / 20;
        qInfo("latent preview 128x96 -> 512x384: %.2f ms per call (1 thread)", ms);
        LUMINA_VERIFY_WITHIN_MS(ms, 100, "latent preview 128x96 -> 512x384");
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, latentPreview(torch::zeros({1, 3, 8, 8}), 4));
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, latentPreview(x0, 4, 0));
    }

    void flux16ProjectionMatchesTorch() {
        for (const char* name : {"flux", "flux_x8"}) {
            const auto x0 = vaetest::ref(name, "preview_latent");
            const auto expectedRgb = vaetest::ref(name, "preview_rgb8");
            QCOMPARE(x0.size(1), int64_t{16});
            // Longest edge unchanged: no resize, the projection and the rounding alone.
            const auto img = latentPreview(x0, 16, static_cast<int>(std::max(x0.size(2), x0.size(3))));
            QCOMPARE(int64_t{img.height}, expectedRgb.size(0));
            QCOMPARE(int64_t{img.width}, expectedRgb.size(1));
            const auto got = torch::from_blob(const_cast<uint8_t*>(img.pixels.data()),
                                              {img.height, img.width, 3}, torch::kUInt8)
                                 .to(torch::kInt);
            const auto diff = (got - expectedRgb.to(torch::kInt)).abs();
            const int maxDiff = diff.max().item<int>();
            const int64_t differing = diff.gt(0).sum().item<int64_t>();
            qInfo("%s: 16-channel preview vs torch: %lld of %lld values differ, max %d level(s)", name,
                  static_cast<long long>(differing), static_cast<long long>(diff.numel()), maxDiff);
            // Both compute in fp32; only a sum landing on a rounding boundary could differ, by one level.
            QVERIFY(maxDiff <= 1);
            QVERIFY(differing * 100 <= diff.numel());
            // The values span the range: the factors are exercised, not just the clamp.
            QVERIFY(expectedRgb.max().item<int>() - expectedRgb.min().item<int>() > 100);
        }
        // Zero latent: the bias alone, worked by hand from ComfyUI's Flux bias (-0.0329, -0.0718, -0.0851).
        const auto flat = latentPreview(torch::zeros({1, 16, 2, 2}), 16, 2);
        QCOMPARE(int(flat.pixels[0]), 123); // round(0.9671 * 127.5) = round(123.30)
        QCOMPARE(int(flat.pixels[1]), 118); // round(0.9282 * 127.5) = round(118.35)
        QCOMPARE(int(flat.pixels[2]), 117); // round(0.9149 * 127.5) = round(116.65)
    }

    void projectionFollowsTheVAELatentChannels() {
        QVERIFY(latentRGBProjection(4).has_value());
        QCOMPARE(latentRGBProjection(4)->factors.size(), std::size_t{4});
        QCOMPARE(latentRGBProjection(16)->factors.size(), std::size_t{16});
        QVERIFY(!latentRGBProjection(8).has_value());
        // A format without a projection is a clear error (callers show the decoded preview instead) ...
        try {
            latentPreview(torch::zeros({1, 8, 4, 4}), 8);
            QFAIL("expected InvalidRequest");
        } catch (const lumina::InvalidRequest& e) {
            QVERIFY2(QString(e.what()).contains("8 latent channels"), e.what());
        }
        // ... and so are latents that do not match the VAE's channel count.
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, latentPreview(torch::zeros({1, 4, 4, 4}), 16));
        QVERIFY_THROWS_EXCEPTION(lumina::InvalidRequest, latentPreview(torch::zeros({1, 16, 4, 4}), 4));
        // The 8-channel VAE's decoded preview works.
        const auto vae = vaetest::load("v2_noattn");
        QCOMPARE(vae->config().latentChannels, int64_t{8});
        const auto img = decodedPreview(*vae, vaetest::ref("v2_noattn", "latents"), 16);
        QCOMPARE(img.width, 16);
    }

    void decodedPreviewIsReducedFullDecode() {
        const auto vae = vaetest::load("v4_legacy"); // x8 like SDXL
        const auto latents = vaetest::ref("v4_legacy", "latents");
        // Latent 5x4 -> 40x32 image; a 40-pixel edge needs no reduction: the exact decode, quantized.
        const auto exact = decodedPreview(*vae, latents, 40);
        const auto image = decodeLatentsToImage(*vae, latents.narrow(0, 0, 1), {});
        QCOMPARE(exact.width, 32);
        QCOMPARE(exact.height, 40);
        QCOMPARE(exact.pixels, toPreviewImage(image[0]).pixels);
        // Larger latents, small preview: decoded from shrunk latents, sized to the requested edge.
        const auto x0 = torch::randn({1, 4, 32, 24});
        const auto small = decodedPreview(*vae, x0, 64);
        QCOMPARE(small.height, 64);
        QCOMPARE(small.width, 48);
        QCOMPARE(small.pixels.size(), size_t(64 * 48 * 3));
    }
};

QTEST_GUILESS_MAIN(TestVAEPreview)
#include "test_vae_preview.moc"
