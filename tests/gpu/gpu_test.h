#pragma once
// A small harness for the `gpu`-labelled tests. They build without Qt (GPU servers have LibTorch and a CUDA
// driver, rarely Qt), so they do not use Qt Test: each test is a function registered under a group, one
// ctest test runs one group (`test_gpu GROUP`), and the process exits 77 (ctest SKIP_RETURN_CODE) with the
// reason on stdout when there is no CUDA device or no reference for the group.
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace gputest {

struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct Skipped : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Case {
    std::string group, name;
    std::function<void()> run;
};
std::vector<Case>& registry();
struct Register {
    Register(std::string group, std::string name, std::function<void()> run);
};

#define GPU_TEST(group, name)                                                                                \
    static void group##_##name();                                                                            \
    static const ::gputest::Register register_##group##_##name(#group, #name, group##_##name);               \
    static void group##_##name()

// Throws Failure with `what` (and the file:line) when `ok` is false.
void check(bool ok, const std::string& what, const char* file = __builtin_FILE(),
           int line = __builtin_LINE());
[[noreturn]] void skip(const std::string& reason);
void info(const std::string& line);

// Fixture folders written by tests/python/*.py under LUMINA_FIXTURES_DIR.
std::filesystem::path fixtures(const std::string& name);

// Comparison helpers in double on the CPU.
double maxAbs(const at::Tensor& a, const at::Tensor& b);
double relL2(const at::Tensor& actual, const at::Tensor& expected);

// The CUDA device the tests run on.
c10::Device cuda();

} // namespace gputest
