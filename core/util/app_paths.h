#pragma once
// Per-user folders of the application, following the platform's conventions, without Qt:
// Linux $XDG_DATA_HOME/lumina-studio (default ~/.local/share/lumina-studio), macOS
// ~/Library/Application Support/Lumina Studio, Windows %APPDATA%/Lumina Studio.
// LUMINA_DATA_DIR overrides all of them (tests use it).
#include <filesystem>
#include <string>

namespace lumina {

std::filesystem::path appDataDirectory();
std::filesystem::path logDirectory();
// The Hugging Face hub cache folder in use, as huggingface_hub resolves it (huggingface_hub/constants.py):
// HF_HUB_CACHE, the older HUGGINGFACE_HUB_CACHE, HF_HOME/hub, XDG_CACHE_HOME/huggingface/hub, then
// ~/.cache/huggingface/hub. Shared by the checkpoint locator and the downloader.
std::filesystem::path huggingFaceHubCache();

// A repository's folder in that cache: "models--org--name" for "org/name".
std::string hubRepoFolderName(const std::string& repoId);

} // namespace lumina
