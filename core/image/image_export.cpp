#include "core/image/image_export.h"

#include "core/image/embedded_metadata.h"
#include "core/util/errors.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

namespace lumina::image {

namespace fs = std::filesystem;

namespace {

std::string lowerExtension(const fs::path& file) {
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

std::string joinedExtensions() {
    std::string s;
    for (const auto& e : supportedExtensions())
        s += (s.empty() ? "" : ", ") + e;
    return s;
}

std::string randomSuffix() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    uint64_t v = rng();
    for (int i = 0; i < 12; ++i, v >>= 4)
        s += kHex[v & 15];
    return s;
}

std::string errnoText(int error) {
    return std::strerror(error);
}

std::string adviceFor(int error) {
    if (error == ENOSPC || error == EDQUOT) return "free some disk space or choose another folder";
    if (error == EACCES || error == EPERM || error == EROFS) return "choose a folder you can write to";
    if (error == ENOENT || error == ENOTDIR) return "create the folder first or choose an existing one";
    return "check the folder and try again";
}

} // namespace

std::vector<std::string> supportedExtensions() {
    return {".png", ".tif", ".tiff", ".exr", ".jpg", ".jpeg", ".webp"};
}

std::optional<ImageFormat> formatForPath(const fs::path& file) {
    const std::string ext = lowerExtension(file);
    if (ext == ".png") return ImageFormat::Png;
    if (ext == ".tif" || ext == ".tiff") return ImageFormat::Tiff;
    if (ext == ".exr") return ImageFormat::Exr;
    if (ext == ".jpg" || ext == ".jpeg") return ImageFormat::Jpeg;
    if (ext == ".webp") return ImageFormat::Webp;
    return std::nullopt;
}

void checkOutputPath(const fs::path& file) {
    if (!formatForPath(file))
        throw InvalidRequest("output file " + file.string() + ": unsupported extension '" +
                             file.extension().string() + "'; use one of " + joinedExtensions());
    std::error_code ec;
    if (fs::is_directory(file, ec))
        throw InvalidRequest("output file " + file.string() + " is a folder; give a file name inside it");
    const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
    if (!fs::exists(folder, ec))
        throw InvalidRequest("output folder " + folder.string() + " does not exist; create it first");
    if (!fs::is_directory(folder, ec))
        throw InvalidRequest("output folder " + folder.string() + " is not a folder (a file is in the way)");
    // Probe by creating a file: permission bits alone miss read-only mounts, ACLs and full quotas.
    std::string probeName = ".lumina-write-test-";
    probeName += randomSuffix();
    const fs::path probe = folder / probeName;
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        const int error = errno;
        throw InvalidRequest("output folder " + folder.string() + " is not writable (" + errnoText(error) +
                             "); " + adviceFor(error));
    }
    ::close(fd);
    ::unlink(probe.c_str());
}

void writeFileAtomically(const fs::path& file, std::span<const uint8_t> bytes) {
    const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
    std::string tempName = ".";
    tempName += file.filename().string();
    tempName += ".tmp-";
    tempName += randomSuffix();
    const fs::path temp = folder / tempName;
    auto fail = [&](const std::string& what, int error, bool removeTemp) {
        if (removeTemp) ::unlink(temp.c_str());
        throw IoError("cannot write " + file.string() + ": " + what + " failed (" + errnoText(error) + "); " +
                      adviceFor(error));
    };
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) fail("creating a temporary file in " + folder.string(), errno, false);
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int error = n < 0 ? errno : EIO;
            ::close(fd);
            fail("writing", error, true);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        const int error = errno;
        ::close(fd);
        fail("flushing to disk", error, true);
    }
    if (::close(fd) != 0) fail("closing", errno, true);
    if (::rename(temp.c_str(), file.c_str()) != 0)
        fail("renaming the temporary file onto the target", errno, true);
}

std::vector<PngText> pngTextChunks(const ExportOptions& options, const nlohmann::json& settings) {
    std::vector<PngText> texts;
    const bool embed = options.embedSettings && !settings.is_null();
    if (embed) {
        texts.push_back({kParametersKey, a1111Parameters(settings)});
        texts.push_back({kSettingsKey, settings.dump()});
        if (!options.software.empty()) texts.push_back({"Software", options.software});
    }
    const std::string xmp = xmpPacket({{}, {}, options.markAiProvenance, {}});
    if (!xmp.empty()) texts.push_back({"XML:com.adobe.xmp", xmp});
    return texts;
}

} // namespace lumina::image
