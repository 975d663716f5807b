#include "core/models/common/attention_backend.h"

#include <ATen/Context.h>
#include <ATen/SDPBackend.h>
#include <atomic>

namespace lumina::models {
namespace {
std::atomic<AttentionBackend> g_backend{AttentionBackend::Auto};
} // namespace

void useAttentionBackend(AttentionBackend backend) {
    auto& ctx = at::globalContext();
    const bool all = backend == AttentionBackend::Auto;
    ctx.setSDPUseMath(true);
    ctx.setSDPUseFlash(all || backend == AttentionBackend::Flash);
    ctx.setSDPUseMemEfficient(all || backend == AttentionBackend::Efficient);
    ctx.setSDPUseCuDNN(all || backend == AttentionBackend::CuDNN);
    g_backend = backend;
}

AttentionBackend attentionBackendInUse() {
    return g_backend;
}

std::string attentionKernelFor(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                               const std::optional<at::Tensor>& mask, std::optional<double> scale) {
    at::SDPBackend choice = at::SDPBackend::math;
    try {
        choice = static_cast<at::SDPBackend>(at::_fused_sdp_choice(q, k, v, mask, 0.0, false, scale));
    } catch (const c10::Error&) { // a device without the selector (MPS) runs its own kernel
        return "device-default";
    }
    switch (choice) {
    case at::SDPBackend::flash_attention:
        return q.is_cuda() ? "flash" : "cpu-fused";
    case at::SDPBackend::efficient_attention:
        return "efficient";
    case at::SDPBackend::cudnn_attention:
        return "cudnn";
    case at::SDPBackend::overrideable:
        return "overrideable";
    case at::SDPBackend::math:
        return "math";
    case at::SDPBackend::error:
        break;
    }
    return "none";
}

} // namespace lumina::models
