#pragma once
// Reference: ComfyUI comfy/text_encoders/llama.py (Gemma2_2B_Config, the module tree of Gemma2_2B whose
// state dict a ComfyUI text-encoder file holds) and comfy/sd.py (detect_te_model: a file with
// model.layers.0.post_feedforward_layernorm.weight is Gemma 2 2B; its spiece_model tensor is the tokenizer):
// the Lumina-Image 2.0 text encoder from one .safetensors file without config.json, such as Comfy-Org's
// gemma_2_2b_fp16.safetensors or the text-encoder part of an all-in-one checkpoint (docs/lumina2.md,
// Single-file weights).
#include "core/io/module_loader.h"
#include "core/io/weight_set.h"
#include "core/models/gemma/gemma_model.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace lumina::models {

// The published Gemma-2-2B configuration (google/gemma-2-2b config.json, the text_encoder/config.json of
// Alpha-VLLM/Lumina-Image-2.0; the same numbers as ComfyUI's Gemma2_2B_Config): what a single file's shapes
// do not hold comes from here. head_dim 256, query_pre_attn_scalar 256, attn_logit_softcapping 50,
// sliding_window 4096 on the even layers (Gemma2Config's layer_types default), rope_theta 10000,
// rms_norm_eps 1e-6, hidden_activation gelu_pytorch_tanh; the sizes (2304 hidden, 26 layers, 8 heads,
// 4 kv heads, 9216 feed-forward, 256000 tokens) are replaced by the shapes.
GemmaConfig publishedGemma2Config();

// Where the encoder sits in a file: `prefix` comes before embed_tokens.weight and layers.N ("model." in
// ComfyUI's text-encoder files, "text_encoders.gemma2_2b.transformer.model." in its checkpoints, "" in a
// diffusers text_encoder file); `root` is the prefix without its last "model." (where an lm_head would sit).
struct GemmaFilePrefix {
    std::string prefix;
    std::string root;
};

// The prefix of the single Gemma encoder in `weights`, from its keys alone. Throws ModelLoadError naming the
// file when there is none (another component's file), or more than one.
GemmaFilePrefix detectGemmaPrefix(const io::WeightSet& weights);
GemmaFilePrefix gemmaPrefixFrom(const std::string& prefix);

// The configuration from the tensor shapes under `where` (vocabulary and hidden size from embed_tokens,
// layers counted, feed-forward width from gate_proj, heads and kv heads from q_proj/k_proj rows over
// unstored.headDim), the rest from `unstored`. Only Gemma 2 files are accepted: a Gemma (1) or Gemma 3 file
// is refused by name. Throws ModelLoadError naming the file and the tensor that does not fit.
GemmaConfig inferGemmaSingleFileConfig(const io::WeightSet& weights, const GemmaFilePrefix& where,
                                       const GemmaConfig& unstored);

// Loads embed_tokens and layers 0..N-2 as loadGemma does. Skipped without reading: the last layer, the final
// norm, lm_head, the tokenizer bytes (spiece_model) and ComfyUI's logit_scale; with a non-empty root, every
// tensor outside it (the other components of an all-in-one checkpoint). Anything else is an error listing the
// missing and unused tensors. `prefix`: nullopt detects it. Same dtype rule as loadGemma (options.dtype,
// default fp32); options.rename must be empty.
std::shared_ptr<GemmaModelImpl> loadGemmaSingleFile(const std::filesystem::path& file,
                                                    const io::LoadOptions& options,
                                                    const std::optional<std::string>& prefix = std::nullopt,
                                                    const GemmaConfig& unstored = publishedGemma2Config());

// The checks of loadGemmaSingleFile (prefix, config, names and shapes) without reading tensor data; returns
// the inferred config.
GemmaConfig validateGemmaSingleFile(const std::filesystem::path& file,
                                    const std::optional<std::string>& prefix = std::nullopt,
                                    const GemmaConfig& unstored = publishedGemma2Config());

} // namespace lumina::models
