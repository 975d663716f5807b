#pragma once
// Shared helpers of the tests/text suites: the fixture folder and its expected.json.
#include <QtTest>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace lumina::test {

inline std::filesystem::path tokenizerFixtures() {
    const char* dir = std::getenv("LUMINA_FIXTURES_DIR");
    return std::filesystem::path(dir ? dir : "fixtures") / "tokenizer";
}

inline nlohmann::json readExpected() {
    std::ifstream in(tokenizerFixtures() / "expected.json");
    if (!in) return {};
    return nlohmann::json::parse(in);
}

} // namespace lumina::test
