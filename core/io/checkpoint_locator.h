#pragma once
// Finds a diffusers pipeline checkpoint wherever a user has it: a pipeline folder (model_index.json +
// component folders), a Hugging Face hub cache folder (models--org--name/snapshots/<rev>/..., symlinks into
// blobs/), or a repo id ("Alpha-VLLM/Lumina-Next-SFT-diffusers") looked up in the cache
// ($HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub).
#include <filesystem>
#include <map>
#include <string>

namespace lumina::io {

struct ComponentRef {
    std::string name;      // "transformer"
    std::string library;   // "diffusers" / "transformers"
    std::string className; // from model_index.json, e.g. "LuminaNextDiT2DModel"
    std::filesystem::path folder;
};

struct PipelineCheckpoint {
    std::filesystem::path root; // the folder that holds model_index.json
    std::string pipelineClass;  // "LuminaPipeline" or its alias "LuminaText2ImgPipeline"
    std::map<std::string, ComponentRef> components;

    // Throws ModelLoadError naming the checkpoint when the component is absent.
    const ComponentRef& component(const std::string& name) const;
};

// Throws ModelLoadError with what was looked for and where (never a crash on a bad folder).
PipelineCheckpoint locateCheckpoint(const std::string& folderOrRepoId);

// The hub cache folder in use, following HF_HUB_CACHE / HF_HOME.
std::filesystem::path huggingFaceHubCache();

} // namespace lumina::io
