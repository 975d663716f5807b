#pragma once
// Typed errors of the core. Every message says what was wrong, where, and what to do about it;
// the CLI and the UI show `what()` as it is.
#include <stdexcept>
#include <string>

namespace lumina {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A model folder, checkpoint file or config that cannot be used.
class ModelLoadError : public Error {
public:
    using Error::Error;
};

// A request (generation settings, prompt, output path) that is invalid before any work starts.
class InvalidRequest : public Error {
public:
    using Error::Error;
};

// A device allocation failed; the engine stays usable for the next request.
class OutOfMemory : public Error {
public:
    using Error::Error;
};

// The run was cancelled by its owner.
class Cancelled : public Error {
public:
    Cancelled()
        : Error("cancelled") {}
};

// A network transfer failed after its retries (connection refused, reset, stalled, server errors), or the
// network is switched off (HF_HUB_OFFLINE). The CLI exits 5 on it.
class NetworkError : public Error {
public:
    using Error::Error;
};

// A file could not be read or written (export, database, latents).
class IoError : public Error {
public:
    using Error::Error;
};

} // namespace lumina
