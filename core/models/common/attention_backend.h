#pragma once
// Which scaled-dot-product attention kernel LibTorch may use (process-wide, as torch.backends.cuda's
// sdp_kernel switches are in the reference), and which one it picks for given inputs. Only CUDA has a choice;
// on the CPU and MPS every setting runs the same kernels.
#include "core/vocabulary/choices.h"

#include <ATen/SDPBackend.h>
#include <optional>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace lumina::models {

// Auto and LibTorch enable every kernel in LibTorch's default priority order (Auto's measured choice is
// applied on top by useMeasuredAttention, core/models/common/attention_choice.h); any other value enables
// that kernel and math, so a call the kernel cannot serve (for example flash with a mask) still runs.
void useAttentionBackend(AttentionBackend backend);
AttentionBackend attentionBackendInUse();

// LibTorch's own kernel priority order, as it was before this program changed it.
std::vector<at::SDPBackend> defaultAttentionPriorityOrder();
// The LibTorch backend of a kernel setting (Math, Flash, Efficient, CuDNN); math for Auto and LibTorch.
at::SDPBackend sdpBackendOf(AttentionBackend backend);

// The kernel at::scaled_dot_product_attention would run for these inputs with the current settings
// ("math", "flash", "efficient", "cudnn", or "cpu-fused" for the CPU's flash kernel).
std::string attentionKernelFor(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                               const std::optional<at::Tensor>& mask, std::optional<double> scale);

} // namespace lumina::models
