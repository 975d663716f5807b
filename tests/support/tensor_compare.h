#pragma once
// What the parity tests measure between a tensor and its reference: the largest absolute difference and the
// relative L2 error (in double precision on the CPU), exact equality, and the fixture scripts' JSON.
#include <ATen/ATen.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace lumina::test {

struct Diff {
    double maxAbs;
    double relL2;
};

inline Diff diff(const at::Tensor& got, const at::Tensor& want) {
    const auto g = got.to(at::kDouble).cpu(), w = want.to(at::kDouble).cpu();
    return {(g - w).abs().max().item<double>(), ((g - w).norm() / w.norm().clamp_min(1e-30)).item<double>()};
}

inline bool bitwiseEqual(const at::Tensor& a, const at::Tensor& b) {
    return a.sizes() == b.sizes() && a.scalar_type() == b.scalar_type() && at::equal(a.cpu(), b.cpu());
}

inline nlohmann::json readJson(const std::filesystem::path& p) {
    std::ifstream in(p);
    return nlohmann::json::parse(in);
}

} // namespace lumina::test
