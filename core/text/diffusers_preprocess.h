#pragma once
// The prompt preprocessing of diffusers' LuminaPipeline without the caption cleaner (spec 9.1):
// Python's `text.lower().strip()`, with full Unicode case mapping and CPython's Final_Sigma rule.
#include <string>

namespace lumina::text {

// Python str.lower() then str.strip() on UTF-8 text. Throws InvalidRequest on invalid UTF-8.
std::string diffusersPreprocess(const std::string& prompt);

// The two halves, for tests and other callers.
std::string pythonLower(const std::string& utf8);
std::string pythonStrip(const std::string& utf8);

} // namespace lumina::text
