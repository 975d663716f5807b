#include "core/io/checkpoint_locator.h"
#include "core/util/app_paths.h"
#include "core/vocabulary/pipeline_classes.h"

#include "core/io/json_file.h"
#include "core/util/errors.h"
#include "core/util/log.h"

#include <algorithm>
#include <cstdlib>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>

namespace lumina::io {
namespace fs = std::filesystem;

namespace {

std::string trim(std::string s) {
    const auto notSpace = [](unsigned char c) { return !std::isspace(c); };
    s.erase(s.begin(), std::find_if(s.begin(), s.end(), notSpace));
    s.erase(std::find_if(s.rbegin(), s.rend(), notSpace).base(), s.end());
    return s;
}

bool isDirectory(const fs::path& p) {
    std::error_code ec;
    return fs::is_directory(p, ec);
}

bool existsOrLink(const fs::path& p) {
    std::error_code ec;
    return fs::exists(p, ec) || fs::is_symlink(p, ec);
}

// "org/name" with the characters the hub allows; never a path that exists on disk.
bool looksLikeRepoId(const std::string& s) {
    const auto slash = s.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == s.size() ||
        s.find('/', slash + 1) != std::string::npos)
        return false;
    if (s.find("..") != std::string::npos || s.front() == '.' || s.front() == '~') return false;
    return std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/';
    });
}

bool isHubRepoFolder(const fs::path& p) {
    return isDirectory(p / "snapshots") && p.filename().string().rfind("models--", 0) == 0;
}

std::string quoteList(const std::vector<std::string>& v) {
    return fmt::format("{}", fmt::join(v, " or "));
}

} // namespace

const std::vector<ExpectedComponent>& pipelineComponents(ModelFamily family) {
    // GemmaForCausalLM / Gemma2ForCausalLM store the same weights under "model." plus an lm_head; accepted
    // here, the Gemma loader decides whether it maps those keys.
    static const std::vector<ExpectedComponent> kLuminaNext{
        {"transformer", {"LuminaNextDiT2DModel"}},
        {"text_encoder", {"GemmaModel", "GemmaForCausalLM"}},
        {"vae", {"AutoencoderKL"}},
        {"tokenizer", {"GemmaTokenizerFast", "GemmaTokenizer"}},
        {"scheduler", {"FlowMatchEulerDiscreteScheduler"}},
    };
    static const std::vector<ExpectedComponent> kLumina2{
        {"transformer", {"Lumina2Transformer2DModel"}},
        {"text_encoder", {"Gemma2Model", "Gemma2ForCausalLM"}},
        {"vae", {"AutoencoderKL"}},
        {"tokenizer", {"GemmaTokenizerFast", "GemmaTokenizer"}},
        {"scheduler", {"FlowMatchEulerDiscreteScheduler"}},
    };
    return family == ModelFamily::Lumina2 ? kLumina2 : kLuminaNext;
}

const ComponentRef& PipelineCheckpoint::component(const std::string& name) const {
    auto it = components.find(name);
    if (it == components.end())
        throw ModelLoadError(fmt::format("{}: the pipeline has no '{}' component",
                                         (root / "model_index.json").string(), name));
    return it->second;
}

fs::path resolveHubSnapshot(const fs::path& repoFolder, std::string* revision) {
    const fs::path snapshots = repoFolder / "snapshots";
    if (!isDirectory(snapshots))
        throw ModelLoadError(
            fmt::format("{}: has no snapshots/ folder (not a Hugging Face hub cache entry, or the "
                        "download did not finish)",
                        repoFolder.string()));
    const fs::path refMain = repoFolder / "refs" / "main";
    std::error_code ec;
    if (fs::is_regular_file(refMain, ec)) {
        std::ifstream in(refMain);
        std::string rev;
        std::getline(in, rev);
        rev = trim(rev);
        if (rev.empty() || rev.find('/') != std::string::npos || rev.find("..") != std::string::npos)
            throw ModelLoadError(fmt::format("{}: does not name a revision", refMain.string()));
        const fs::path snap = snapshots / rev;
        if (!isDirectory(snap))
            throw ModelLoadError(
                fmt::format("{}: names revision {}, but {} is missing (interrupted download? "
                            "download the model again)",
                            refMain.string(), rev, snap.string()));
        if (revision) *revision = rev;
        return snap;
    }
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(snapshots, ec))
        if (isDirectory(entry.path())) found.push_back(entry.path());
    if (found.empty())
        throw ModelLoadError(fmt::format("{}: is empty (the download did not finish)", snapshots.string()));
    auto mtime = [](const fs::path& p) {
        std::error_code e;
        return fs::last_write_time(p, e);
    };
    // The newest snapshot; ties broken by name so the choice never depends on directory order.
    std::sort(found.begin(), found.end(), [&](const fs::path& a, const fs::path& b) {
        const auto ta = mtime(a), tb = mtime(b);
        return ta != tb ? ta > tb : a.filename() < b.filename();
    });
    if (found.size() > 1)
        log::info("{}: no refs/main, using the newest of {} snapshots: {}", repoFolder.string(), found.size(),
                  found.front().filename().string());
    if (revision) *revision = found.front().filename().string();
    return found.front();
}

PipelineCheckpoint readPipelineFolder(const fs::path& root) {
    const fs::path indexPath = root / "model_index.json";
    const JsonConfig index = JsonConfig::load(indexPath);
    PipelineCheckpoint cp;
    cp.root = root;
    cp.origin = "folder";

    // Collect what the folder says it is, so a wrong model is named with all its classes at once.
    std::map<std::string, std::pair<std::string, std::string>> declared; // name -> (library, class)
    for (const auto& [key, value] : index.json().items()) {
        if (key.empty() || key.front() == '_') continue;
        if (!value.is_array() || value.size() != 2) index.fail(key, "a [library, class] pair");
        if (value[0].is_null() && value[1].is_null()) continue; // optional component left out
        if (!value[0].is_string() || !value[1].is_string())
            index.fail(key, "a [library, class] pair of strings");
        declared[key] = {value[0].get<std::string>(), value[1].get<std::string>()};
    }

    const std::string pipelineClass = index.getString("_class_name", "");
    const auto& pipelineClasses = lumina::luminaPipelineClasses();
    const auto family = lumina::familyOfPipelineClass(pipelineClass);
    if (!family) {
        std::vector<std::string> parts;
        for (const auto& [name, lc] : declared)
            parts.push_back(fmt::format("{}={}", name, lc.second));
        throw ModelLoadError(fmt::format(
            "{}: not a Lumina pipeline: expected pipeline class {}, found {} (components: {}). Choose a "
            "Lumina diffusers folder such as Alpha-VLLM/Lumina-Next-SFT-diffusers or "
            "Alpha-VLLM/Lumina-Image-2.0",
            indexPath.string(), quoteList(pipelineClasses),
            pipelineClass.empty() ? "no _class_name" : pipelineClass,
            parts.empty() ? "none" : fmt::format("{}", fmt::join(parts, ", "))));
    }
    cp.pipelineClass = pipelineClass;
    cp.family = *family;

    std::vector<std::string> problems;
    for (const auto& expected : pipelineComponents(cp.family)) {
        auto it = declared.find(expected.name);
        if (it == declared.end()) {
            problems.push_back(fmt::format("component '{}' is missing (expected {})", expected.name,
                                           quoteList(expected.classes)));
            continue;
        }
        const auto& [library, className] = it->second;
        if (std::find(expected.classes.begin(), expected.classes.end(), className) ==
            expected.classes.end()) {
            problems.push_back(fmt::format("component '{}' has class {}, expected {}", expected.name,
                                           className, quoteList(expected.classes)));
            continue;
        }
        const fs::path folder = root / expected.name;
        if (!isDirectory(folder)) {
            problems.push_back(existsOrLink(folder)
                                   ? fmt::format("{} is not a folder", folder.string())
                                   : fmt::format("component folder {} is missing", folder.string()));
            continue;
        }
        cp.components[expected.name] = ComponentRef{expected.name, library, className, folder};
    }
    if (!problems.empty())
        throw ModelLoadError(fmt::format("{}: not a usable {} pipeline: {}", indexPath.string(),
                                         displayName(cp.family), fmt::join(problems, "; ")));
    return cp;
}

PipelineCheckpoint locateCheckpoint(const std::string& folderOrRepoId) {
    if (folderOrRepoId.empty()) throw ModelLoadError("no model given: pass a pipeline folder or a repo id");
    const fs::path asPath(folderOrRepoId);
    std::error_code ec;
    if (fs::is_symlink(asPath, ec) && !fs::exists(asPath, ec))
        throw ModelLoadError(fmt::format("{}: broken symbolic link", asPath.string()));
    if (fs::exists(asPath, ec)) {
        if (!isDirectory(asPath))
            throw ModelLoadError(fmt::format("{}: is a file; expected a diffusers pipeline folder (with "
                                             "model_index.json) or a repo id",
                                             asPath.string()));
        if (existsOrLink(asPath / "model_index.json")) return readPipelineFolder(asPath);
        if (isHubRepoFolder(asPath)) {
            std::string rev;
            auto cp = readPipelineFolder(resolveHubSnapshot(asPath, &rev));
            cp.origin = "hub cache folder";
            cp.revision = rev;
            return cp;
        }
        if (existsOrLink(asPath / "config.json") && existsOrLink(asPath.parent_path() / "model_index.json"))
            throw ModelLoadError(fmt::format("{}: is one component of a pipeline; pass its parent folder {}",
                                             asPath.string(), asPath.parent_path().string()));
        throw ModelLoadError(
            fmt::format("{}: has no model_index.json (expected a diffusers pipeline folder, as "
                        "written by save_pretrained, or a hub cache folder models--org--name)",
                        asPath.string()));
    }
    if (!looksLikeRepoId(folderOrRepoId))
        throw ModelLoadError(
            fmt::format("{}: no such folder, and not a repo id of the form org/name", folderOrRepoId));
    const fs::path cache = lumina::huggingFaceHubCache();
    const fs::path repoFolder = cache / hubRepoFolderName(folderOrRepoId);
    if (!isDirectory(repoFolder))
        throw ModelLoadError(fmt::format(
            "{}: not in the Hugging Face cache ({} is missing; the cache follows HF_HUB_CACHE or HF_HOME). "
            "Download it first, e.g. `huggingface-cli download {}`, or pass the folder",
            folderOrRepoId, repoFolder.string(), folderOrRepoId));
    std::string rev;
    auto cp = readPipelineFolder(resolveHubSnapshot(repoFolder, &rev));
    cp.origin = "repo id in hub cache";
    cp.revision = rev;
    return cp;
}

} // namespace lumina::io
