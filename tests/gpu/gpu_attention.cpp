// Every SDPA kernel LibTorch may pick on CUDA against the math kernel (group attention), on the real 2B
// shapes (32 query heads, 8 KV heads, head dim 72) at 1024x1024 (4096 image tokens, batch 2 as with CFG):
// self-attention with the proportional-attention scale through our grouped-query stacking, and the caption
// cross-attention with a left-padded mask (row 1 half padding, as a CFG negative prompt). Tolerances:
// docs/gpu.md.
#include "core/models/common/attention_backend.h"
#include "core/models/next_dit/next_dit_block.h"
#include "tests/gpu/gpu_test.h"

#include <cmath>
#include <fmt/format.h>

using namespace lumina;
using namespace lumina::models;
using gputest::check;

namespace {

struct Inputs {
    at::Tensor q, k, v; // q (B, S, heads, D); k, v (B, kvHeads, L, D)
    std::optional<at::Tensor> mask;
    std::optional<double> scale;
};

Inputs selfAttention(at::ScalarType dtype) {
    const int64_t b = 2, s = 4096, heads = 32, kv = 8, d = 72;
    torch::manual_seed(11);
    const auto o = at::TensorOptions().device(gputest::cuda()).dtype(dtype);
    // Proportional attention at 4096 tokens against a 1024-token native size: sqrt(log_1024 4096) / sqrt(72).
    const double scale = std::sqrt(std::log(4096.0) / std::log(1024.0)) / std::sqrt(72.0);
    return {torch::randn({b, s, heads, d}, o), torch::randn({b, kv, s, d}, o), torch::randn({b, kv, s, d}, o),
            std::nullopt, scale};
}

Inputs crossAttention(at::ScalarType dtype) {
    const int64_t b = 2, s = 4096, heads = 32, kv = 8, d = 72, l = 128;
    torch::manual_seed(12);
    const auto o = at::TensorOptions().device(gputest::cuda()).dtype(dtype);
    auto mask = torch::ones({b, l}, at::TensorOptions().dtype(at::kBool));
    mask[1].slice(0, 0, l / 2).fill_(false); // left padding
    return {torch::randn({b, s, heads, d}, o), torch::randn({b, kv, l, d}, o), torch::randn({b, kv, l, d}, o),
            mask.view({b, 1, 1, l}).to(gputest::cuda()), std::nullopt};
}

at::Tensor attend(const Inputs& in) {
    c10::InferenceMode inference;
    return groupedQueryAttention(in.q, in.k, in.v, in.mask, in.scale);
}

// The math kernel in fp32 on the same (rounded) inputs: the reference every kernel is measured against.
at::Tensor mathReference(const Inputs& in) {
    useAttentionBackend(AttentionBackend::Math);
    Inputs f{in.q.to(at::kFloat), in.k.to(at::kFloat), in.v.to(at::kFloat), in.mask, in.scale};
    auto out = attend(f);
    useAttentionBackend(AttentionBackend::Auto);
    return out;
}

// Runs one kernel alone (math disabled too, so a kernel that cannot serve the call fails instead of falling
// back); returns false when LibTorch has no such kernel for these inputs on this GPU.
bool runOnly(AttentionBackend backend, const Inputs& in, at::Tensor& out, std::string& why) {
    auto& ctx = at::globalContext();
    ctx.setSDPUseMath(false);
    ctx.setSDPUseFlash(backend == AttentionBackend::Flash);
    ctx.setSDPUseMemEfficient(backend == AttentionBackend::Efficient);
    ctx.setSDPUseCuDNN(backend == AttentionBackend::CuDNN);
    bool ok = true;
    try {
        out = attend(in);
    } catch (const c10::Error& e) {
        ok = false;
        why = e.what_without_backtrace();
        why = why.substr(0, why.find('\n'));
    }
    useAttentionBackend(AttentionBackend::Auto);
    return ok;
}

void compareKernels(const std::string& what, const Inputs& in, double tolerance, int minimumFused) {
    const auto want = mathReference(in);
    int fused = 0;
    for (auto backend : {AttentionBackend::Flash, AttentionBackend::Efficient, AttentionBackend::CuDNN,
                         AttentionBackend::Math}) {
        if (backend == AttentionBackend::Math) {
            useAttentionBackend(AttentionBackend::Math);
            const auto out = attend(in);
            useAttentionBackend(AttentionBackend::Auto);
            const double d = gputest::relL2(out, want);
            gputest::info(fmt::format("{} math ({}): rel L2 vs fp32 math {:.3g}", what,
                                      c10::toString(in.q.scalar_type()), d));
            check(d <= tolerance, what + ": math kernel out of tolerance");
            continue;
        }
        at::Tensor out;
        std::string why;
        if (!runOnly(backend, in, out, why)) {
            gputest::info(
                fmt::format("{} {}: not available for these inputs ({})", what, toString(backend), why));
            continue;
        }
        ++fused;
        const double d = gputest::relL2(out, want);
        gputest::info(fmt::format("{} {} ({}): rel L2 vs fp32 math {:.3g}", what, toString(backend),
                                  c10::toString(in.q.scalar_type()), d));
        check(d <= tolerance, what + " " + toString(backend) + ": out of tolerance");
    }
    const auto grouped = in.q.transpose(1, 2);
    gputest::info(
        fmt::format("{}: LibTorch picks '{}'", what,
                    attentionKernelFor(grouped.reshape({in.q.size(0), in.k.size(1), -1, in.q.size(3)}), in.k,
                                       in.v, in.mask, in.scale)));
    check(fused >= minimumFused, what + ": fewer fused kernels ran than expected on this GPU");
}

} // namespace

GPU_TEST(attention, selfAttentionKernelsMatchMathBf16) {
    // bf16 inputs, fp32 accumulation inside every kernel, bf16 output: rel L2 <= 1e-2 (the output rounding
    // alone is about 2^-9 = 2e-3 relative). Flash or memory-efficient must serve this call on any sm80+ GPU.
    compareKernels("self-attention", selfAttention(at::kBFloat16), 1e-2, 1);
}

GPU_TEST(attention, selfAttentionKernelsMatchMathFp32) {
    // fp32: only memory-efficient (and math) take fp32; TF32 is off. rel L2 <= 1e-5.
    compareKernels("self-attention", selfAttention(at::kFloat), 1e-5, 0);
}

GPU_TEST(attention, paddedCrossAttentionKernelsMatchMath) {
    // A boolean mask: flash cannot take it; memory-efficient and cuDNN can. Padded keys must get no weight:
    // the reference (math) already checks that through the fp32 comparison.
    compareKernels("cross-attention", crossAttention(at::kBFloat16), 1e-2, 0);
    compareKernels("cross-attention", crossAttention(at::kFloat), 1e-5, 0);
}
