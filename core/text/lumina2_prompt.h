#pragma once
// The text Lumina-Image 2.0 tokenizes: diffusers pipelines/lumina2/pipeline_lumina2.py,
// Lumina2Pipeline.__init__ (default system prompt), encode_prompt (system prompt joining) and
// _get_gemma_prompt_embeds / check_inputs (sequence length); docs/sampling.md, Lumina-Image 2.0.
// Unlike LuminaPipeline, Lumina2Pipeline neither lowercases nor strips the prompt.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lumina::text {

// The two system prompts the Lumina-Image 2.0 release offers. "Superior" is the pipeline's default
// (Lumina2Pipeline.system_prompt); "alignment" is the other official template.
inline constexpr std::string_view kLumina2SuperiorSystemPrompt =
    "You are an assistant designed to generate superior images with the superior degree of image-text "
    "alignment based on textual prompts or user prompts.";
inline constexpr std::string_view kLumina2AlignmentSystemPrompt =
    "You are an assistant designed to generate high-quality images with the highest degree of image-text "
    "alignment based on textual prompts.";

// The separator encode_prompt puts between system prompt and prompt (spaces on both sides).
inline constexpr std::string_view kLumina2PromptSeparator = " <Prompt Start> ";

// Tokens the Gemma encoder sees (padding="max_length", truncation=True), and the most check_inputs allows.
inline constexpr int64_t kLumina2MaxSequenceLength = 256;
inline constexpr int64_t kLumina2MaxSequenceLengthLimit = 512;

// system + " <Prompt Start> " + prompt, byte for byte; no system prompt given means the default ("superior").
// An empty system prompt is kept as given (the text then starts with the separator), as in the reference.
std::string lumina2PromptText(const std::string& prompt, const std::optional<std::string>& systemPrompt = {});

// The negative prompt is tokenized as given, without the system prompt; absent means "".
std::string lumina2NegativePromptText(const std::optional<std::string>& negativePrompt = {});

// Throws InvalidRequest above kLumina2MaxSequenceLengthLimit (check_inputs) or below 1.
void checkLumina2MaxSequenceLength(int64_t maxSequenceLength);

} // namespace lumina::text
