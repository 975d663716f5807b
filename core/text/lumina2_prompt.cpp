// diffusers pipelines/lumina2/pipeline_lumina2.py, Lumina2Pipeline.encode_prompt and check_inputs.
#include "core/text/lumina2_prompt.h"

#include "core/util/errors.h"

#include <fmt/format.h>

namespace lumina::text {

std::string lumina2PromptText(const std::string& prompt, const std::optional<std::string>& systemPrompt) {
    std::string text = systemPrompt ? *systemPrompt : std::string(kLumina2SuperiorSystemPrompt);
    text += kLumina2PromptSeparator;
    text += prompt;
    return text;
}

std::string lumina2NegativePromptText(const std::optional<std::string>& negativePrompt) {
    return negativePrompt.value_or(std::string());
}

void checkLumina2MaxSequenceLength(int64_t maxSequenceLength) {
    if (maxSequenceLength < 1 || maxSequenceLength > kLumina2MaxSequenceLengthLimit)
        throw InvalidRequest(fmt::format("max_sequence_length must lie in 1..{} for Lumina-Image 2.0, got {}",
                                         kLumina2MaxSequenceLengthLimit, maxSequenceLength));
}

} // namespace lumina::text
