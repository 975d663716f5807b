// SDXL-style VAE on CUDA (group vae): the fixtures of tests/python/make_vae_fixtures.py decoded on the GPU,
// untiled and tiled, in fp32 against our CPU decode, diffusers' AutoencoderKL on the CPU (the fixture) and on
// CUDA (tests/python/make_gpu_references.py), and in bf16 against fp32 (tolerances: docs/gpu.md).
#include "core/models/vae/vae_decode.h"
#include "tests/gpu/gpu_reference.h"
#include "tests/gpu/gpu_test.h"

#include <fmt/format.h>

using namespace lumina;
using namespace lumina::models;
using gputest::check;

namespace {

const char* const kConfigs[] = {"v1", "v3", "v4_legacy", "v2_noattn"};

std::shared_ptr<AutoencoderKLImpl> load(const std::string& name, c10::Device device, at::ScalarType dtype) {
    io::LoadOptions o;
    o.device = device;
    o.dtype = dtype;
    return loadVAE(gputest::fixtures("vae_fixtures") / name / "vae", o);
}

at::Tensor reference(const std::string& name, const std::string& tensor) {
    return io::SafetensorsFile::open(gputest::fixtures("vae_fixtures") / name / "ref.safetensors")
        ->tensor(tensor)
        .clone();
}

at::Tensor decode(const AutoencoderKLImpl& vae, const at::Tensor& latents,
                  const TiledDecodeOptions& options) {
    c10::InferenceMode inference;
    return decodeLatentsToImage(vae, latents.to(vae.device(), vae.dtype()), options);
}

} // namespace

GPU_TEST(vae, cudaFp32MatchesCpuAndDiffusers) {
    std::shared_ptr<const io::SafetensorsFile> cudaRef;
    try {
        cudaRef = gputest::cudaReference("vae");
    } catch (const gputest::Skipped& e) {
        gputest::info(std::string("no diffusers CUDA reference: ") + e.what());
    }
    for (const std::string name : kConfigs) {
        const auto latents = reference(name, "latents");
        const auto onGpu = decode(*load(name, gputest::cuda(), at::kFloat), latents, {VAETiling::Never});
        const auto onCpu = decode(*load(name, c10::kCPU, at::kFloat), latents, {VAETiling::Never});
        const double vsCpu = gputest::maxAbs(onGpu, onCpu);
        const double vsRef = gputest::maxAbs(onGpu, reference(name, "image01"));
        double vsCuda = 0;
        if (cudaRef) vsCuda = gputest::maxAbs(onGpu, cudaRef->tensor(name + ".image01"));
        gputest::info(
            fmt::format("{}: CUDA fp32 image max abs vs our CPU {:.3g}, vs diffusers CPU {:.3g}, vs "
                        "diffusers CUDA {:.3g}",
                        name, vsCpu, vsRef, vsCuda));
        check(vsCpu <= 1e-5 && vsRef <= 1e-5 && vsCuda <= 1e-5, "fp32 images must agree within 1e-5");
    }
}

GPU_TEST(vae, cudaTiledMatchesUntiled) {
    // Exact shared GroupNorm statistics: the tiled decode is the untiled one up to rounding (the CPU bound of
    // tests/vae/test_vae_tiled.cpp is PSNR >= 40 dB; on CUDA fp32 we ask for max abs <= 1e-4).
    for (const std::string name : {"v1", "v3", "v4_legacy"}) {
        const auto vae = load(name, gputest::cuda(), at::kFloat);
        torch::manual_seed(3);
        const auto latents = torch::randn({1, vae->config().latentChannels, 48, 40}) * 0.8;
        const auto full = decode(*vae, latents, {VAETiling::Never});
        TiledDecodeOptions options{VAETiling::Always, 16, 4};
        const auto tiled = decode(*vae, latents, options);
        const auto cpuTiled = decode(*load(name, c10::kCPU, at::kFloat), latents, options);
        const double d = gputest::maxAbs(tiled, full), dCpu = gputest::maxAbs(tiled, cpuTiled);
        gputest::info(
            fmt::format("{}: CUDA tiled vs untiled max abs {:.3g}, vs CPU tiled {:.3g}", name, d, dCpu));
        check(tiled.sizes() == full.sizes(), "tiled and untiled sizes differ");
        check(d <= 1e-4 && dCpu <= 1e-5, "CUDA tiled decode must equal the untiled and the CPU tiled decode");
    }
}

GPU_TEST(vae, cudaBf16StaysClose) {
    // docs/gpu.md: bf16 image within 0.1 of the fp32 image (max abs, [0, 1] scale; the CPU bound of
    // tests/vae/test_vae_parity.cpp) and mean abs within 1e-2.
    for (const std::string name : {"v1", "v3"}) {
        const auto latents = reference(name, "latents");
        const auto image = decode(*load(name, gputest::cuda(), at::kBFloat16), latents, {VAETiling::Never});
        const auto want = reference(name, "image01");
        const double m = gputest::maxAbs(image, want);
        const double mean = (image.to(at::kDouble) - want.to(at::kDouble)).abs().mean().item<double>();
        gputest::info(
            fmt::format("{}: CUDA bf16 image vs fp32 max abs {:.3g}, mean abs {:.3g}", name, m, mean));
        check(m < 0.1 && mean < 1e-2, "bf16 image must stay within 0.1 (max) / 1e-2 (mean) of fp32");
    }
}
