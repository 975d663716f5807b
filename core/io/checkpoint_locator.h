#pragma once
// Finds a diffusers pipeline checkpoint wherever a user has it: a pipeline folder (model_index.json +
// component folders), a Hugging Face hub cache folder (models--org--name/snapshots/<rev>/..., symlinks into
// blobs/), or a repo id ("Alpha-VLLM/Lumina-Next-SFT-diffusers") looked up in the cache
// ($HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub).
#include "core/vocabulary/choices.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace lumina::io {

struct ComponentRef {
    std::string name;      // "transformer"
    std::string library;   // "diffusers" / "transformers"
    std::string className; // from model_index.json, e.g. "LuminaNextDiT2DModel"
    std::filesystem::path folder;
};

struct PipelineCheckpoint {
    std::filesystem::path root; // the folder that holds model_index.json
    std::string pipelineClass;  // "LuminaPipeline", "Lumina2Pipeline" or an alias (pipeline_classes.h)
    ModelFamily family = ModelFamily::LuminaNext; // from pipelineClass
    std::map<std::string, ComponentRef> components;
    std::string origin;   // how it was found: "folder", "hub cache folder", "repo id in hub cache"
    std::string revision; // the hub snapshot revision, empty for a plain folder

    // Throws ModelLoadError naming the checkpoint when the component is absent.
    const ComponentRef& component(const std::string& name) const;
};

// The components a pipeline of `family` needs and the model_index.json classes accepted for each.
struct ExpectedComponent {
    std::string name;
    std::vector<std::string> classes; // first one is the canonical class
};
const std::vector<ExpectedComponent>& pipelineComponents(ModelFamily family);
// The accepted pipeline classes: lumina::luminaPipelineClasses() (core/vocabulary/pipeline_classes.h).

// Throws ModelLoadError with what was looked for and where (never a crash on a bad folder).
PipelineCheckpoint locateCheckpoint(const std::string& folderOrRepoId);

// Reads and checks model_index.json of a pipeline folder (no hub cache resolution).
PipelineCheckpoint readPipelineFolder(const std::filesystem::path& root);

// The snapshot folder of a hub cache repo folder (models--org--name): refs/main when present, else the only
// or the most recently modified snapshot. Throws ModelLoadError. `revision` receives the snapshot name.
std::filesystem::path resolveHubSnapshot(const std::filesystem::path& repoFolder,
                                         std::string* revision = nullptr);

} // namespace lumina::io
