#pragma once
// What one .safetensors file holds, told from its key names and a few shapes (never the file name, never
// tensor data). References for the layouts: ComfyUI comfy/supported_models.py (class Lumina2: a checkpoint's
// transformer under model.diffusion_model., text encoder under text_encoders., VAE under vae.), comfy/sd.py
// (detect_te_model: the Gemma 2 and Gemma 3 test keys), comfy/text_encoders/lumina2.py (the spiece_model
// tokenizer bytes), diffusers loaders/single_file_utils.py (CHECKPOINT_KEY_NAMES["lumina2"], the
// first_stage_model. VAE prefix). docs/lumina2.md, Single-file weights.
#include "core/io/weight_set.h"

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace lumina::models {

enum class FileComponentKind { Transformer, TextEncoder, VAE, Tokenizer };

enum class FileModelFamily {
    Lumina2,          // the original Lumina-Image 2.0 layout: cap_embedder.0 and a fused attention.qkv
    Lumina2Diffusers, // Lumina2Transformer2DModel's diffusers names (time_caption_embed., attn.to_q)
    LuminaNext,       // the original Lumina-Next layout (attention.wq)
    OtherTransformer, // a diffusion model of another family (FLUX double_blocks, SD input_blocks, ...)
    Gemma2,           // layers.N.post_feedforward_layernorm without self_attn.q_norm
    Gemma,            // no post_feedforward_layernorm: Gemma (1), Lumina-Next's encoder
    Gemma3,           // self_attn.q_norm
    FluxVAE,          // 16 latent channels, no quant_conv (FLUX, Lumina-Image 2.0)
    SDXLVAE,          // 4 latent channels with quant_conv (SDXL and SD 1.x: the shapes are the same)
    OtherVAE,
    SentencePiece,
};

std::string describeKind(FileComponentKind kind);   // "text encoder"
std::string describeFamily(FileModelFamily family); // "Gemma 2 text encoder"

struct FileComponent {
    FileComponentKind kind = FileComponentKind::Transformer;
    FileModelFamily family = FileModelFamily::OtherTransformer;
    // What its keys start with ("" at the top level). For the tokenizer: its whole key.
    std::string prefix;
    std::size_t tensorCount = 0;
};

struct SingleFileContents {
    std::filesystem::path file;
    std::size_t tensorCount = 0;
    std::vector<FileComponent> components;
    // Stored beside the components and never used: ComfyUI's SDClipModel logit_scale (last key part).
    std::vector<std::string> ignoredKeys;
    // Tensors that belong to no component found.
    std::vector<std::string> unknownKeys;

    // The first component of that kind, or null.
    const FileComponent* find(FileComponentKind kind) const;
    // "a Lumina-Image 2.0 transformer under \"model.diffusion_model.\" (459 tensors), ...", for messages.
    std::string describe() const;
};

// Opens `file` (header only; a truncated or malformed file throws ModelLoadError naming it) and sorts every
// tensor into a component, the ignore list or the unknown list.
SingleFileContents inspectSingleFile(const std::filesystem::path& file);
SingleFileContents inspectWeights(const io::WeightSet& weights, const std::filesystem::path& file);

} // namespace lumina::models
