// Port of the unpatchify step of diffusers LuminaNextDiT2DModel.forward (lumina_nextdit2d.py) and
// Lumina2Transformer2DModel.forward (transformer_lumina2.py).
#include "core/models/common/patches.h"

#include <torch/torch.h>

namespace lumina::models {

at::Tensor unpatchifyTokens(const at::Tensor& tokens, int64_t h, int64_t w, int64_t patch, int64_t channels) {
    return tokens.reshape({tokens.size(0), h / patch, w / patch, patch, patch, channels})
        .permute({0, 5, 1, 3, 2, 4})
        .flatten(4, 5)
        .flatten(2, 3);
}

} // namespace lumina::models
