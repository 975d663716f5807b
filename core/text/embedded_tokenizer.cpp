// Reference: ComfyUI comfy/text_encoders/spiece_tokenizer.py (SPieceTokenizer: the uint8 tensor's bytes are
// the ModelProto) and comfy/sd.py (load_text_encoder_state_dicts reads tokenizer_data["spiece_model"]).
#include "core/text/embedded_tokenizer.h"

#include "core/util/errors.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <string_view>

namespace lumina::text {

std::vector<std::string> embeddedTokenizerKeys(const io::WeightSet& weights) {
    const std::string name = "spiece_model";
    std::vector<std::string> keys;
    for (const auto& [key, _] : weights.entries())
        if (key == name ||
            (key.size() > name.size() && key.compare(key.size() - name.size(), name.size(), name) == 0 &&
             key[key.size() - name.size() - 1] == '.'))
            keys.push_back(key);
    return keys;
}

GemmaTokenizer loadEmbeddedTokenizer(const std::filesystem::path& file,
                                     const std::optional<std::string>& key) {
    const auto weights = io::WeightSet::open(file);
    std::string chosen;
    if (key) {
        chosen = *key;
    } else {
        const auto keys = embeddedTokenizerKeys(weights);
        if (keys.empty())
            throw ModelLoadError(fmt::format(
                "{}: the file carries no tokenizer (no spiece_model tensor); give the tokenizer folder of "
                "the "
                "diffusers checkpoint (tokenizer/, with tokenizer.json or tokenizer.model) as well",
                weights.describe()));
        if (keys.size() > 1)
            throw ModelLoadError(fmt::format("{}: {} embedded tokenizers ({}); name the one to use",
                                             weights.describe(), keys.size(), fmt::join(keys, ", ")));
        chosen = keys.front();
    }
    const auto* entry = weights.find(chosen);
    if (!entry)
        throw ModelLoadError(
            fmt::format("{}: there is no tensor {} (the embedded tokenizer)", weights.describe(), chosen));
    if (entry->info->dtype != io::DType::U8 || entry->info->shape.size() != 1)
        throw ModelLoadError(fmt::format(
            "{}: tensor {} has dtype {} and {} dimension(s); an embedded SentencePiece model is a 1-D uint8 "
            "tensor of the tokenizer.model bytes",
            weights.describe(), chosen, io::dtypeName(entry->info->dtype), entry->info->shape.size()));
    const std::string_view bytes(reinterpret_cast<const char*>(entry->file->bytes(*entry->info)),
                                 static_cast<std::size_t>(entry->info->byteSize()));
    return GemmaTokenizer::fromDefinition(
        readEmbeddedTokenizerDefinition(bytes, fmt::format("{} (tensor {})", weights.describe(), chosen)));
}

} // namespace lumina::text
