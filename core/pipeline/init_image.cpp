#include "core/pipeline/init_image.h"

#include "core/image/image_export.h"
#include "core/image/resample.h"
#include "core/util/errors.h"

#include <filesystem>
#include <fmt/format.h>
#include <system_error>
#include <torch/torch.h>

namespace lumina::pipeline {

image::FloatImage loadInitImage(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw InvalidRequest(fmt::format("init image '{}' does not exist or is not a file", path));
    image::FloatImage picture;
    try {
        picture = image::readImage(path);
    } catch (const Error& e) {
        throw IoError(fmt::format("init image '{}' cannot be read: {}", path, e.what()));
    }
    if (picture.empty()) throw IoError(fmt::format("init image '{}' has no pixels", path));
    return picture;
}

at::Tensor initImageTensor(const image::FloatImage& picture, int width, int height, InitResize resize) {
    const auto prepared = image::prepareInitImage(picture, width, height, resize);
    const auto hwc = torch::from_blob(const_cast<float*>(prepared.pixels.data()), {height, width, 3},
                                      torch::TensorOptions().dtype(torch::kFloat32));
    return (hwc.permute({2, 0, 1}).unsqueeze(0) * 2.0 - 1.0).contiguous();
}

} // namespace lumina::pipeline
