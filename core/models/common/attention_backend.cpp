#include "core/models/common/attention_backend.h"

#include <ATen/Context.h>
#include <ATen/SDPBackend.h>
#include <atomic>

namespace lumina::models {
namespace {
std::atomic<AttentionBackend> g_backend{AttentionBackend::Auto};
} // namespace

std::vector<at::SDPBackend> defaultAttentionPriorityOrder() {
    static const std::vector<at::SDPBackend> order = [] {
        const auto o = at::globalContext().sDPPriorityOrder();
        return std::vector<at::SDPBackend>(o.begin(), o.end());
    }();
    return order;
}

at::SDPBackend sdpBackendOf(AttentionBackend backend) {
    switch (backend) {
    case AttentionBackend::Flash:
        return at::SDPBackend::flash_attention;
    case AttentionBackend::Efficient:
        return at::SDPBackend::efficient_attention;
    case AttentionBackend::CuDNN:
        return at::SDPBackend::cudnn_attention;
    case AttentionBackend::Math:
    case AttentionBackend::Auto:
    case AttentionBackend::LibTorch:
        break;
    }
    return at::SDPBackend::math;
}

void useAttentionBackend(AttentionBackend backend) {
    auto& ctx = at::globalContext();
    std::vector<int64_t> order;
    for (const auto b : defaultAttentionPriorityOrder())
        order.push_back(static_cast<int64_t>(b));
    ctx.setSDPPriorityOrder(order);
    const bool all = backend == AttentionBackend::Auto || backend == AttentionBackend::LibTorch;
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
