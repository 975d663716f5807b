#pragma once
// Remembers text-encoder outputs per prompt so that re-running a prompt (new seed, new size) skips Gemma.
// Keyed by everything that changes the encoding: the exact text, the padded length, the padding side, the
// dtype and the device. Least recently used entries go first; thread-safe.
#include "core/text/tokenizer_definition.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <cstddef>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

namespace lumina::text {

struct PromptEncodingKey {
    std::string text;
    int64_t length = 0;
    PaddingSide padding = PaddingSide::Left;
    c10::ScalarType dtype = c10::ScalarType::Float;
    c10::Device device = c10::kCPU;
    std::string modelId; // which text encoder produced it (e.g. its folder), so two checkpoints never mix

    bool operator<(const PromptEncodingKey& o) const;
};

struct PromptEncoding {
    at::Tensor embeddings; // (1, L, hidden)
    at::Tensor mask;       // (1, L) int64
};

class PromptEncodingCache {
public:
    explicit PromptEncodingCache(std::size_t capacity = 16)
        : m_capacity(capacity) {}
    std::optional<PromptEncoding> find(const PromptEncodingKey& key);
    void insert(const PromptEncodingKey& key, PromptEncoding value);
    void clear();
    std::size_t size() const;
    std::size_t hits() const { return m_hits; }
    std::size_t misses() const { return m_misses; }

private:
    using Entry = std::pair<PromptEncodingKey, PromptEncoding>;
    std::size_t m_capacity;
    std::list<Entry> m_entries; // most recently used first
    std::map<PromptEncodingKey, std::list<Entry>::iterator> m_index;
    mutable std::mutex m_mutex;
    std::size_t m_hits = 0, m_misses = 0;
};

} // namespace lumina::text
