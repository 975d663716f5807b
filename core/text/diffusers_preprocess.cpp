// The prompt preprocessing of diffusers' LuminaPipeline without the caption cleaner
// (LuminaPipeline._text_preprocessing).
#include "core/text/diffusers_preprocess.h"

#include "core/util/python_text.h"

namespace lumina::text {

std::string diffusersPreprocess(const std::string& prompt) {
    return pythonStrip(pythonLower(prompt));
}

} // namespace lumina::text
