#pragma once
// How the end-to-end parity tests compare a generation with a reference run (tests/pipeline/
// test_pipeline_parity.cpp for Lumina-Next, test_lumina2_pipeline.cpp for Lumina-Image 2.0): final latents by
// relative L2, the 8-bit image level by level. Qt Test macros: check QTest::currentTestFailed() after.
#include "core/image/image_buffers.h"
#include "core/io/safetensors_file.h"
#include "core/pipeline/generation_output.h"

#include <QtTest>
#include <torch/torch.h>

namespace lumina::test {

inline double relativeL2(const at::Tensor& actual, const at::Tensor& expected) {
    return ((actual - expected).norm() / expected.norm()).item<double>();
}

inline at::Tensor latentsOf(const pipeline::GenerationOutput& out) {
    return torch::from_blob(const_cast<float*>(out.latents.data()), out.latentShape, torch::kFloat).clone();
}

struct LevelDifferences {
    int64_t off = 0; // values that differ at all
    int64_t far = 0; // values that differ by more than one level
    int worst = 0;
};

// Our 8-bit image against reference levels (H, W, 3 int32).
inline LevelDifferences compareLevels(const image::Rgb8Image& ours, const at::Tensor& reference) {
    const auto ref = reference.to(torch::kInt32).contiguous();
    const auto* r = ref.data_ptr<int32_t>();
    LevelDifferences d;
    for (std::size_t i = 0; i < ours.pixels.size(); ++i) {
        const int diff = std::abs(static_cast<int>(ours.pixels[i]) - r[i]);
        d.off += diff > 0;
        d.far += diff > 1;
        d.worst = std::max(d.worst, diff);
    }
    return d;
}

// Final latents within 1e-4 rel L2 of the reference's and the image within one level of the reference rounded
// as the app exports it (one value in a thousand at most off at all). Check QTest::currentTestFailed() after.
inline void verifyMatchesReference(const pipeline::GenerationOutput& out,
                                   const io::SafetensorsFile& reference) {
    const auto refLatents = reference.tensor("latents");
    const auto latents = latentsOf(out);
    QCOMPARE(latents.sizes(), refLatents.sizes());
    const double relL2 = relativeL2(latents, refLatents);
    QVERIFY2(relL2 <= 1e-4, qPrintable(QString("latents rel L2 %1").arg(relL2)));
    const auto refImage = reference.tensor("image"); // H, W, 3 in [0, 1]
    QCOMPARE(out.image.height, static_cast<int>(refImage.size(0)));
    QCOMPARE(out.image.width, static_cast<int>(refImage.size(1)));
    const auto ours8 = image::toRgb8(out.image);
    const auto d = compareLevels(ours8, (refImage * 255).round());
    QCOMPARE(d.far, int64_t(0));
    QVERIFY2(d.off <= static_cast<int64_t>(ours8.pixels.size() / 1000),
             qPrintable(QString("%1 of %2 values differ by one level").arg(d.off).arg(ours8.pixels.size())));
}

} // namespace lumina::test
