#pragma once
// Where and how the Hub client connects, read from the environment the way huggingface_hub reads it
// (huggingface_hub/constants.py): HF_ENDPOINT (a mirror), HF_TOKEN / HUGGING_FACE_HUB_TOKEN or the token
// file ($HF_TOKEN_PATH, else $HF_HOME/token, else ~/.cache/huggingface/token), HF_HUB_OFFLINE,
// HF_HUB_CACHE / HF_HOME for the cache. The transfer tuning knobs are ours (LUMINA_HUB_*; docs/hub.md).
#include <cstdint>
#include <filesystem>
#include <string>

namespace lumina::hub {

struct HubConfig {
    std::string endpoint = "https://huggingface.co"; // no trailing slash
    std::string token;                               // empty: anonymous. Never logged.
    bool offline = false;
    std::filesystem::path cacheDir; // the hub cache (models--org--name folders live here)

    int stallSeconds = 30;               // no byte for this long: the connection is retried
    int maxAttempts = 6;                 // per request, without progress in between
    int backoffMs = 1000;                // first retry delay, doubled each time (capped at 30 s)
    int connections = 8;                 // parallel connections in total
    uint64_t minPartBytes = 64ull << 20; // files at least twice this size are fetched in parts
    int maxPartsPerFile = 8;
    int maxVerifyRefetches = 2; // a hash mismatch refetches the file at most this often

    static HubConfig fromEnvironment();
    // "scheme://host:port" of the endpoint: the only origin that ever receives the token.
    std::string endpointOrigin() const;
};

// True for "1", "ON", "YES", "TRUE" (any case), like huggingface_hub's _is_true.
bool envFlag(const char* name);

} // namespace lumina::hub
