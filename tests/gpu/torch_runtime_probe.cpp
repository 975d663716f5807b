// Starts, reports how LibTorch's CUDA part was resolved, and checks it: with a CUDA build of LibTorch,
// libtorch_cuda and the CUDA runtime must be loaded (so the GPU is used at run time even when the build had
// no CUDA toolkit). Prints one line per fact; exit 0 when consistent, 1 otherwise. Used by the ctest tests
// torch_runtime and build_without_cuda_toolkit (tests/unit/build_without_cuda_toolkit.sh).
#include <cstdio>
#include <fstream>
#include <string>
#include <torch/cuda.h>

int main() {
    std::ifstream maps("/proc/self/maps");
    std::string line, torchCuda, cudart;
    while (std::getline(maps, line)) {
        const auto slash = line.find('/');
        if (slash == std::string::npos) continue;
        const auto path = line.substr(slash);
        if (torchCuda.empty() && path.find("libtorch_cuda.so") != std::string::npos) torchCuda = path;
        if (cudart.empty() && path.find("libcudart") != std::string::npos) cudart = path;
    }
    const bool available = torch::cuda::is_available();
    std::printf("libtorch_cuda: %s\n", torchCuda.empty() ? "(not loaded)" : torchCuda.c_str());
    std::printf("cuda runtime: %s\n", cudart.empty() ? "(not loaded)" : cudart.c_str());
    std::printf("cuda available: %s (%d devices)\n", available ? "yes" : "no",
                static_cast<int>(torch::cuda::device_count()));
#ifdef LUMINA_TORCH_IS_CUDA
    if (torchCuda.empty() || cudart.empty()) {
        std::printf("FAIL: LibTorch is a CUDA build but its CUDA part is not loaded\n");
        return 1;
    }
#endif
    return 0;
}
