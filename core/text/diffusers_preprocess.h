#pragma once
// The prompt preprocessing of diffusers' LuminaPipeline without the caption cleaner
// (LuminaPipeline._text_preprocessing with clean_caption=False):
// Python's `text.lower().strip()`, with full Unicode case mapping and CPython's Final_Sigma rule.
#include "core/util/python_text.h"

#include <string>

namespace lumina::text {

// Python str.lower() then str.strip() on UTF-8 text. Throws InvalidRequest on invalid UTF-8.
std::string diffusersPreprocess(const std::string& prompt);

} // namespace lumina::text
