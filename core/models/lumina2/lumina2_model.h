#pragma once
// LibTorch port of diffusers' Lumina2Transformer2DModel (models/transformers/transformer_lumina2.py), the
// Lumina-Image 2.0 transformer, with Lumina2CombinedTimestepCaptionEmbedding, Lumina2RotaryPosEmbed and
// LuminaLayerNormContinuous; docs/lumina2.md. Loads the diffusers transformer/ folder directly: the module
// tree is the checkpoint's key map.
#include "core/io/module_loader.h"
#include "core/models/common/lumina_layers.h"
#include "core/models/common/timestep_embedding.h"
#include "core/models/lumina2/lumina2_block.h"
#include "core/models/lumina2/lumina2_rope.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace lumina::models {

// Everything that depends only on the caption, computed once per generation by prepareCaption and reused by
// every step (the reference recomputes it at each call).
struct Lumina2Caption {
    at::Tensor hidden; // caption_embedder then context_refiner: (B, L', hidden)
    at::Tensor rope;   // the caption's RoPE table (B, L', headDim/2, 2) as the context refiner used it
    std::vector<int64_t> lengths; // per sample, the number of valid tokens (sum of its mask row)
    // L' is L, or the longest valid prefix when every mask row is a prefix (right padding): the tokens cut
    // off are padding in every row, never attended to and never copied into the joint sequence.
    int64_t batch() const { return static_cast<int64_t>(lengths.size()); }
};

class Lumina2TransformerImpl : public torch::nn::Module {
public:
    // Parameters are created with torch::empty on `options` (use the meta device for shape checks) and
    // filled by io::loadModuleWeights.
    Lumina2TransformerImpl(const Lumina2Config& config, const at::TensorOptions& options);

    // captionFeatures (B, L, cap_feat_dim) in the model dtype, captionMask (B, L) bool or 0/1 integers; moved
    // to the model's device. Throws InvalidRequest for wrong shapes, dtypes, a row without a valid token or a
    // caption longer than axes_lens[0] allows.
    Lumina2Caption prepareCaption(const at::Tensor& captionFeatures, const at::Tensor& captionMask) const;

    // latents (B, in_channels, h, w) model dtype, h and w multiples of patch_size; timestep (B,) fp32, the
    // model time t in [0, 1] as Lumina2Pipeline passes it (1 - sigma-timestep / 1000; not multiplied by 1000
    // here). Returns (B, out_channels, h, w). Throws InvalidRequest.
    at::Tensor forward(const at::Tensor& latents, const at::Tensor& timestep,
                       const Lumina2Caption& caption) const;
    // The reference's signature: prepareCaption then forward, for one call.
    at::Tensor forward(const at::Tensor& latents, const at::Tensor& timestep,
                       const at::Tensor& captionFeatures, const at::Tensor& captionMask) const;

    // Pieces of forward, public for the parity tests (tests/lumina2/test_lumina2.cpp).
    at::Tensor timeEmbedding(const at::Tensor& timestep) const; // timestep_embedder(time_proj(t))
    at::Tensor patchEmbed(const at::Tensor& latents) const;     // x_embedder of the (p, q, ch) patches
    const Lumina2RoPE& rope() const { return m_rope; }

    const Lumina2Config& config() const { return m_config; }
    at::ScalarType dtype() const { return m_patchProj->weight.scalar_type(); }
    c10::Device device() const { return m_patchProj->weight.device(); }

private:
    at::Tensor unpatchify(const at::Tensor& tokens, int64_t h, int64_t w) const;

    Lumina2Config m_config;
    Lumina2RoPE m_rope;                           // rope_embedder (no parameters)
    Dense m_patchProj{nullptr};                   // x_embedder
    TimestepEmbedding m_timeEmbedder{nullptr};    // time_caption_embed.timestep_embedder
    RMSNorm m_captionNorm{nullptr};               // time_caption_embed.caption_embedder.0
    Dense m_captionLinear{nullptr};               // time_caption_embed.caption_embedder.1
    std::vector<Lumina2Block> m_noiseRefiner;     // noise_refiner.i
    std::vector<Lumina2Block> m_contextRefiner;   // context_refiner.i
    std::vector<Lumina2Block> m_layers;           // layers.i
    LuminaLayerNormContinuous m_normOut{nullptr}; // norm_out
};
TORCH_MODULE(Lumina2Transformer);

// Reads folder/config.json, builds the model and loads folder's safetensors strictly (every key, every
// shape), in options.dtype (default fp32) on options.device. Throws ModelLoadError.
std::shared_ptr<Lumina2TransformerImpl> loadLumina2Transformer(const std::filesystem::path& folder,
                                                               const io::LoadOptions& options);

// Builds the model of `config` and loads `weights` into it strictly, in options.dtype (default fp32) on
// options.device; options.rename / splitRows map other key layouts (lumina2_single_file.h). Throws
// ModelLoadError.
std::shared_ptr<Lumina2TransformerImpl> loadLumina2TransformerWeights(const Lumina2Config& config,
                                                                      const io::WeightSet& weights,
                                                                      const io::LoadOptions& options);

// Checks config + key set + shapes of a transformer folder without reading tensor data. Throws
// ModelLoadError.
void validateLumina2Transformer(const std::filesystem::path& folder);

} // namespace lumina::models
