// Runner of the gpu-labelled tests (tests/gpu/gpu_test.h): `test_gpu GROUP` runs the tests of one group.
#include "tests/gpu/gpu_test.h"

#include <ATen/Context.h>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>

namespace gputest {

std::vector<Case>& registry() {
    static std::vector<Case> cases;
    return cases;
}

Register::Register(std::string group, std::string name, std::function<void()> run) {
    registry().push_back({std::move(group), std::move(name), std::move(run)});
}

void check(bool ok, const std::string& what, const char* file, int line) {
    if (!ok) throw Failure(fmt::format("{}:{}: {}", file, line, what));
}

void skip(const std::string& reason) {
    throw Skipped(reason);
}

void info(const std::string& line) {
    std::printf("    %s\n", line.c_str());
    std::fflush(stdout);
}

std::filesystem::path fixtures(const std::string& name) {
    const char* dir = std::getenv("LUMINA_FIXTURES_DIR");
    if (!dir) throw Failure("LUMINA_FIXTURES_DIR is not set (run through ctest)");
    return std::filesystem::path(dir) / name;
}

double maxAbs(const at::Tensor& a, const at::Tensor& b) {
    return (a.to(at::kDouble).cpu() - b.to(at::kDouble).cpu()).abs().max().item<double>();
}

double relL2(const at::Tensor& actual, const at::Tensor& expected) {
    const auto a = actual.to(at::kDouble).cpu(), e = expected.to(at::kDouble).cpu();
    return ((a - e).norm() / e.norm().clamp_min(1e-30)).item<double>();
}

c10::Device cuda() {
    return c10::Device(c10::kCUDA, 0);
}

} // namespace gputest

int main(int argc, char** argv) {
    constexpr int kSkip = 77; // SKIP_RETURN_CODE of every gpu test
    if (argc != 2) {
        std::fprintf(stderr, "usage: test_gpu GROUP\n");
        return 2;
    }
    const std::string group = argv[1];
    bool known = false;
    for (const auto& c : gputest::registry())
        known = known || c.group == group;
    if (!known) {
        std::fprintf(stderr, "test_gpu: no tests in group '%s'\n", group.c_str());
        return 2;
    }
    if (!torch::cuda::is_available()) {
        std::printf("SKIP %s: no CUDA device (torch::cuda::is_available() is false: no NVIDIA GPU or driver "
                    "here, or LibTorch without CUDA)\n",
                    group.c_str());
        return kSkip;
    }
    // fp32 comparisons in full fp32: no TF32 in cuBLAS or cuDNN (the reference script does the same).
    at::globalContext().setAllowTF32CuBLAS(false);
    at::globalContext().setAllowTF32CuDNN(false);
    at::set_num_threads(2);
    int ran = 0, failed = 0, skipped = 0;
    for (const auto& c : gputest::registry()) {
        if (c.group != group) continue;
        std::printf("%s.%s\n", c.group.c_str(), c.name.c_str());
        std::fflush(stdout);
        try {
            c.run();
            ++ran;
            std::printf("  PASS\n");
        } catch (const gputest::Skipped& e) {
            ++skipped;
            std::printf("  SKIP: %s\n", e.what());
        } catch (const std::exception& e) {
            ++failed;
            std::printf("  FAIL: %s\n", e.what());
        }
        std::fflush(stdout);
    }
    std::printf("%s: %d passed, %d failed, %d skipped\n", group.c_str(), ran, failed, skipped);
    if (failed) return 1;
    return ran == 0 ? kSkip : 0;
}
