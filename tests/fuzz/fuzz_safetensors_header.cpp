// libFuzzer target for the safetensors header parser: any input must either parse into a header whose
// invariants hold or be refused with ModelLoadError; anything else (crash, other exception, sanitizer report)
// is a bug.
#include "core/io/safetensors_header.h"
#include "core/util/errors.h"

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    lumina::io::SafetensorsHeader header;
    try {
        header = lumina::io::parseSafetensorsHeader(data, size, "fuzz.safetensors");
    } catch (const lumina::ModelLoadError&) {
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "unexpected exception type: %s\n", e.what());
        std::abort();
    }
    // What the reader relies on after a successful parse.
    uint64_t expected = 0;
    for (const auto& t : header.tensors) {
        if (t.begin != expected || t.end < t.begin || t.end > header.dataSize) std::abort();
        if (t.byteSize() != static_cast<uint64_t>(t.numel()) * lumina::io::dtypeSize(t.dtype)) std::abort();
        expected = t.end;
    }
    if (expected != header.dataSize || header.dataOffset + header.dataSize != size) std::abort();
    return 0;
}
