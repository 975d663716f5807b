// Gemma text encoder on CUDA (group gemma): the fixtures of tests/python/make_gemma_fixtures.py encoded on
// the GPU in fp32 against our CPU result, transformers' GemmaModel on the CPU (the fixture) and on CUDA
// (tests/python/make_gpu_references.py), and in bf16 against fp32 (tolerances: docs/gpu.md). Only the real
// token positions are compared (padded rows are unspecified in the reference too).
#include "core/models/gemma/gemma_model.h"
#include "tests/gpu/gpu_reference.h"
#include "tests/gpu/gpu_test.h"

#include <fmt/format.h>

using namespace lumina;
using namespace lumina::models;
using gputest::check;

namespace {

std::shared_ptr<GemmaModelImpl> load(const std::string& name, c10::Device device, at::ScalarType dtype) {
    const auto meta = gputest::readJson(gputest::fixtures("gemma") / "meta.json")["models"][name];
    io::LoadOptions options;
    options.device = device;
    options.dtype = dtype;
    const auto activation = meta["exact_gelu"].get<bool>() ? GemmaConfig::Activation::GeluExact
                                                           : GemmaConfig::Activation::GeluTanh;
    return loadGemma(gputest::fixtures("gemma") / name, options, activation);
}

at::Tensor encode(const GemmaModelImpl& model, const at::Tensor& ids, const at::Tensor& mask,
                  c10::Device device) {
    c10::InferenceMode inference;
    return model.encode(ids.to(device), mask.to(device)).to(at::kFloat).cpu();
}

// Relative L2 over the real tokens only.
double validRelL2(const at::Tensor& a, const at::Tensor& b, const at::Tensor& mask) {
    const auto valid = mask.to(at::kBool).unsqueeze(-1).expand_as(a);
    return gputest::relL2(a.masked_select(valid), b.masked_select(valid));
}

const char* const kModels[] = {"g1_tanh", "g2_exact", "g3_gqa"};
const char* const kSides[] = {"left", "right", "full"};

} // namespace

GPU_TEST(gemma, cudaFp32MatchesCpuAndTransformers) {
    std::shared_ptr<const io::SafetensorsFile> cudaRef;
    try {
        cudaRef = gputest::cudaReference("gemma");
    } catch (const gputest::Skipped& e) {
        gputest::info(std::string("no transformers CUDA reference: ") + e.what());
    }
    for (const std::string name : kModels) {
        const auto gpu = load(name, gputest::cuda(), at::kFloat);
        const auto cpu = load(name, c10::kCPU, at::kFloat);
        const auto ref =
            io::SafetensorsFile::open(gputest::fixtures("gemma") / (name + ".reference.safetensors"));
        for (const std::string side : kSides) {
            const auto ids = ref->tensor(side + ".ids"), mask = ref->tensor(side + ".mask");
            const auto out = encode(*gpu, ids, mask, gputest::cuda());
            check(torch::isfinite(out).all().item<bool>(), "CUDA output has non-finite values");
            const double vsCpu = validRelL2(out, encode(*cpu, ids, mask, c10::kCPU), mask);
            const double vsRef = validRelL2(out, ref->tensor(side + ".hs_m2"), mask);
            double vsCuda = 0;
            if (cudaRef) vsCuda = validRelL2(out, cudaRef->tensor(name + "." + side + ".fp32"), mask);
            gputest::info(
                fmt::format("{} {}: CUDA fp32 rel L2 vs our CPU {:.3g}, vs transformers CPU {:.3g}, "
                            "vs transformers CUDA {:.3g}",
                            name, side, vsCpu, vsRef, vsCuda));
            check(vsCpu <= 1e-5 && vsRef <= 1e-5 && vsCuda <= 1e-5, "fp32 hidden states must agree (1e-5)");
        }
    }
}

GPU_TEST(gemma, cudaBf16StaysCloseToFp32) {
    // docs/gpu.md: hidden_states[-2] in bf16 within rel L2 3e-2 of fp32 over the real tokens (the same bound
    // as the Next-DiT: 8 mantissa bits, errors growing over the layers), and finite everywhere.
    for (const std::string name : kModels) {
        const auto bf16 = load(name, gputest::cuda(), at::kBFloat16);
        const auto ref =
            io::SafetensorsFile::open(gputest::fixtures("gemma") / (name + ".reference.safetensors"));
        for (const std::string side : kSides) {
            const auto ids = ref->tensor(side + ".ids"), mask = ref->tensor(side + ".mask");
            const auto out = encode(*bf16, ids, mask, gputest::cuda());
            check(torch::isfinite(out).all().item<bool>(), "bf16 output has non-finite values");
            const double d = validRelL2(out, ref->tensor(side + ".hs_m2"), mask);
            gputest::info(fmt::format("{} {}: CUDA bf16 vs fp32 rel L2 {:.3g}", name, side, d));
            check(d <= 3e-2, "bf16 hidden states must stay within rel L2 3e-2 of fp32");
        }
    }
}
