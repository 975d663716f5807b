#pragma once
// LibTorch port of diffusers' LuminaNextDiT2DModel (models/transformers/lumina_nextdit2d.py), with its
// embeddings (LuminaPatchEmbed, LuminaCombinedTimestepCaptionEmbedding) and final layer
// (LuminaLayerNormContinuous); docs/reference-notes.md, Next-DiT. Loads the diffusers transformer/ folder
// directly: the module tree is the checkpoint's key map (639 tensors for the 2B model).
#include "core/io/module_loader.h"
#include "core/models/common/lumina_layers.h"
#include "core/models/common/timestep_embedding.h"
#include "core/models/next_dit/next_dit_block.h"
#include "core/models/next_dit/rope_table.h"

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>
#include <vector>

namespace lumina::models {

// Everything that depends only on the caption, computed once per generation by prepareCaption and reused
// every step (the reference recomputes it each step).
struct NextDiTCaption {
    at::Tensor embedding;                    // caption_embedder(masked mean of the features): (B, cond)
    std::vector<NextDiTLayerCaption> layers; // per block: norm1_context -> attn2 K/V
    at::Tensor mask;                         // (B, 1, 1, L) bool, true = attend
    int64_t batch() const { return embedding.defined() ? embedding.size(0) : 0; }
};

struct NextDiTStepOptions {
    RoPEFactors rope;                          // λ (linear) and ν (NTK) of this step
    std::optional<int64_t> baseSequenceLength; // proportional attention when set (the pipeline uses 4096)
    // Context Drop (non-reference speed mode, models/common/key_value_pooling.h): self-attention keys and
    // values are average-pooled over window x window token cells. 1 = off (the reference behaviour).
    int64_t contextDropWindow = 1;
};

class NextDiTModelImpl : public torch::nn::Module {
public:
    // Parameters are created with torch::empty on `options` (use the meta device for shape checks) and
    // filled by io::loadModuleWeights; call finishLoading() after that.
    NextDiTModelImpl(const NextDiTConfig& config, const at::TensorOptions& options);

    // captionFeatures (B, L, Dc) in the model dtype, captionMask (B, L) 0/1 integers; moved to the model's
    // device. Throws InvalidRequest for wrong shapes or a row without any valid token.
    NextDiTCaption prepareCaption(const at::Tensor& captionFeatures, const at::Tensor& captionMask) const;

    // latents (B, inChannels, h, w) model dtype, h and w multiples of patch_size and at most 384 patches per
    // side; timestep (B,) fp32 Lumina time t in [0, 1] (not * 1000). Returns (B, outChannels, h, w); with
    // learn_sigma, channels [inChannels, 2*inChannels) are the unused variance half. Throws InvalidRequest.
    at::Tensor forward(const at::Tensor& latents, const at::Tensor& timestep, const NextDiTCaption& caption,
                       const NextDiTStepOptions& options) const;

    // Pieces of forward, public for the parity tests (tests/next_dit/test_next_dit.cpp).
    at::Tensor timeEmbedding(const at::Tensor& timestep) const; // timestep_embedder(time_proj(t))
    at::Tensor patchEmbed(const at::Tensor& latents) const;     // (B, N, hidden)
    at::Tensor unpatchify(const at::Tensor& tokens, int64_t h, int64_t w) const; // (B, N, p*p*C) -> image
    // The sliced RoPE table as real (1, N, headDim/2, 2) (cos, sin) pairs on the model device, cached per
    // (grid, factors).
    at::Tensor ropeFor(int64_t tokensH, int64_t tokensW, const RoPEFactors& factors) const;

    // Resolves the attn1/attn2 shared-query optimisation of every block (bitwise weight comparison).
    void finishLoading();
    // Number of blocks that compute the query once for both attentions.
    int64_t sharedQueryBlocks() const;

    const NextDiTConfig& config() const { return m_config; }
    at::ScalarType dtype() const { return m_patchProj->weight.scalar_type(); }
    c10::Device device() const { return m_patchProj->weight.device(); }

private:
    NextDiTConfig m_config;
    Dense m_patchProj{nullptr};                   // patch_embedder.proj
    at::Tensor m_padToken;                        // pad_token (loaded, unused: reference-notes)
    TimestepEmbedding m_timeEmbedder{nullptr};    // time_caption_embed.timestep_embedder
    AffineLayerNorm m_captionNorm{nullptr};       // time_caption_embed.caption_embedder.0
    Dense m_captionLinear{nullptr};               // time_caption_embed.caption_embedder.1
    std::vector<NextDiTBlock> m_blocks;           // layers.i
    LuminaLayerNormContinuous m_normOut{nullptr}; // norm_out

    using RoPEKey = std::tuple<int64_t, int64_t, double, double, std::string>;
    mutable std::mutex m_ropeMutex;
    mutable std::map<RoPEKey, at::Tensor> m_ropeCache;
};
TORCH_MODULE(NextDiTModel);

// Reads folder/config.json, builds the model and loads folder's safetensors strictly (every key, every
// shape), in options.dtype (default fp32) on options.device. Throws ModelLoadError.
std::shared_ptr<NextDiTModelImpl> loadNextDiT(const std::filesystem::path& folder,
                                              const io::LoadOptions& options);

// Checks config + key set + shapes of a transformer folder without reading tensor data. Throws
// ModelLoadError.
void validateNextDiT(const std::filesystem::path& folder);

} // namespace lumina::models
