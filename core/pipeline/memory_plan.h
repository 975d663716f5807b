#pragma once
// One memory plan per request (docs/gpu.md, Memory plan): what the weights and each phase of a run (prompt
// encoding, sampling, VAE decode) need on the run's device, and the decisions taken from it: where the text
// encoder and the transformer sit during each phase, and whether the VAE decode is tiled. The studio's
// pre-run estimate and the pipeline's decisions call the same planMemory.
#include "core/models/vae/vae_config.h"

#include <cstdint>

namespace lumina::pipeline {

// What the plan (and the studio's time estimate) needs to know about a model: parameter counts, the weights'
// bytes as they sit on the device, and the shapes that size the working memory.
struct ModelFootprint {
    uint64_t transformerParams = 0;
    uint64_t textEncoderParams = 0;
    uint64_t vaeParams = 0;
    uint64_t transformerWeightBytes = 0;
    uint64_t textEncoderWeightBytes = 0;
    uint64_t vaeWeightBytes = 0;
    int64_t hiddenSize = 0; // transformer width
    int64_t patchSize = 2;
    int64_t textHiddenSize = 2048;        // text encoder width (Gemma-2B's by default)
    int64_t textIntermediateSize = 16384; // its MLP's inner width
    models::VAEConfig vae = models::VAEConfig::sdxl();
    int elementBytes = 4;    // transformer activations (and the text encoder's)
    int vaeElementBytes = 4; // VAE activations
    bool known() const { return transformerParams > 0; }
    uint64_t weightBytes() const { return transformerWeightBytes + textEncoderWeightBytes + vaeWeightBytes; }
};

// Lumina-Next-SFT (Next-DiT 2B, Gemma-2B, SDXL VAE) with activations of `elementBytes` (4: fp32, 2: bf16 or
// fp16; the VAE and Gemma stay in fp32 under fp16, as the pipeline runs them): what the studio assumes before
// a model is loaded.
ModelFootprint luminaNextSftFootprint(int elementBytes, bool fp16 = false);

// Where the two large models sit on a GPU, from the cheapest to the most frugal. Moving them costs a host
// transfer (about a second for Gemma-2B), and only when a new prompt has to be encoded.
enum class ModelPlacement {
    AllResident,         // every model stays on the device
    TextEncoderReleased, // the text encoder moves to the host after encoding, back for the next prompt
    Swapped,             // the transformer leaves while the text encoder works, and the other way round
};

// "all resident", "text encoder released after encoding", "text encoder and transformer swapped".
const char* toString(ModelPlacement placement);

struct MemoryPlan {
    uint64_t budgetBytes = 0;   // what the run may hold on its device, weights included
    uint64_t weightBytes = 0;   // the three models
    uint64_t encodeBytes = 0;   // working memory of each phase, weights excluded
    uint64_t samplingBytes = 0; // one guided transformer evaluation
    uint64_t decodeBytes = 0;   // as planned: untiled, or the tiled plan's
    ModelPlacement placement = ModelPlacement::AllResident;
    bool tiledDecode = false;
    bool releasesTextEncoder() const { return placement != ModelPlacement::AllResident; }
    uint64_t peakBytes = 0; // the largest phase plus the weights resident during it
    bool fits() const { return peakBytes <= budgetBytes; }
};

// The plan for one width x height image. guided: classifier-free guidance runs a batch of two. canRelease:
// moving models off the device frees something (a GPU; never the CPU, where the weights are the host memory
// the plan counts). The cheapest placement whose peak fits the budget is chosen; when none fits, Swapped (and
// fits() is false).
MemoryPlan planMemory(const ModelFootprint& model, int width, int height, bool guided, bool canRelease,
                      uint64_t budgetBytes);

// Peak working memory of one transformer evaluation of `batch` images of `tokens` image tokens: about ten
// hidden-state-sized tensors alive at once in a block (x, the normed and modulated input, q/k/v, the
// attention output, the SwiGLU's two inner activations, the residual), plus allocator slack.
uint64_t estimateSamplingBytes(const ModelFootprint& model, int64_t batch, int64_t tokens);

} // namespace lumina::pipeline
