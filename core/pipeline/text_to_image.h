#pragma once
// The generation run: tokenize -> encode (cached) -> initial noise (image-to-image: the init image encoded
// and mixed with noise at the first kept step, docs/img2img.md) -> denoising loop with classifier-free
// guidance -> VAE decode. The sampling is the model family's (run_state.h): Lumina-Next after diffusers
// pipelines/lumina/pipeline_lumina.py (LuminaPipeline.__call__) and the official Lumina-T2X transport ODE,
// Lumina-Image 2.0 after pipelines/lumina2/pipeline_lumina2.py (Lumina2Pipeline.__call__) and the official
// Lumina-Image-2.0 sample.py (docs/sampling.md). Each run has its own state; the models are shared and
// read-only.
#include "core/pipeline/generation_output.h"
#include "core/pipeline/loaded_models.h"
#include "core/util/cancel_token.h"

#include <ATen/core/Generator.h>

namespace lumina::pipeline {

// Fills in what the request leaves open: the preset's settings are applied by the caller (CLI/UI); here the
// diffusers preset takes the scheduler config's shift, and a missing seed is drawn.
GenerationRequest resolveRequest(const GenerationRequest& request, const LoadedModels& models);

// Runs one request on the calling thread (the request's family must be the models': InvalidRequest otherwise)
// (sets c10::InferenceMode itself). Cancellation is checked before every model evaluation and before
// decoding: StopNow throws Cancelled, StopKeepDraft decodes the current clean-image estimate and returns it
// with draft = true. Out-of-memory becomes OutOfMemory with advice.
GenerationOutput generateImage(const LoadedModels& models, const GenerationRequest& request,
                               const GenerationCallbacks& callbacks, const CancelToken& cancel);

// The VAE decode of the final latents as the run does it (the image in [0, 1], float32): also what Export
// uses to re-decode a gallery item's kept latents, so both give the same pixels.
image::FloatImage decodeToImage(const LoadedModels& models, const at::Tensor& latents, VAETiling tiling,
                                int tileSize);

// Initial latents (1, channels, height / 8, width / 8) exactly as diffusers' randn_tensor with
// torch.Generator("cpu").manual_seed(seed): drawn on the CPU in `dtype` (not drawn in fp32 and cast: that
// gives different numbers), then moved to `device`. channels: 4 (Lumina-Next), 16 (Lumina-Image 2.0).
at::Tensor initialNoise(uint64_t seed, int64_t channels, int64_t height, int64_t width, c10::ScalarType dtype,
                        c10::Device device);
// The same draw from an existing CPU generator (image-to-image draws the VAE posterior sample from it first).
at::Tensor initialNoise(at::Generator& generator, int64_t channels, int64_t height, int64_t width,
                        c10::ScalarType dtype, c10::Device device);

} // namespace lumina::pipeline
