#pragma once
// Which scaled-dot-product attention kernel LibTorch may use (process-wide, as torch.backends.cuda's
// sdp_kernel switches are in the reference), and which one it picks for given inputs. Only CUDA has a choice;
// on the CPU and MPS every setting runs the same kernels.
#include "core/vocabulary/choices.h"

#include <optional>
#include <string>
#include <torch/torch.h>

namespace lumina::models {

// Auto enables every kernel (LibTorch's priority order); any other value enables that kernel and math, so a
// call the kernel cannot serve (for example flash with a mask) still runs.
void useAttentionBackend(AttentionBackend backend);
AttentionBackend attentionBackendInUse();

// The kernel at::scaled_dot_product_attention would run for these inputs with the current settings
// ("math", "flash", "efficient", "cudnn", or "cpu-fused" for the CPU's flash kernel).
std::string attentionKernelFor(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                               const std::optional<at::Tensor>& mask, std::optional<double> scale);

} // namespace lumina::models
