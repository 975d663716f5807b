#pragma once
// Per-user folders of the application, following the platform's conventions, without Qt:
// Linux $XDG_DATA_HOME/lumina-studio (default ~/.local/share/lumina-studio), macOS
// ~/Library/Application Support/Lumina Studio, Windows %APPDATA%/Lumina Studio.
// LUMINA_DATA_DIR overrides all of them (tests use it).
#include <filesystem>

namespace lumina {

std::filesystem::path appDataDirectory();
std::filesystem::path logDirectory();

} // namespace lumina
