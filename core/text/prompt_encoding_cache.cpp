#include "core/text/prompt_encoding_cache.h"

namespace lumina::text {

bool PromptEncodingKey::operator<(const PromptEncodingKey& o) const {
    auto tie = [](const PromptEncodingKey& k) {
        return std::make_tuple(std::cref(k.text), k.length, static_cast<int>(k.padding),
                               static_cast<int>(k.dtype), static_cast<int>(k.device.type()),
                               static_cast<int>(k.device.index()), std::cref(k.modelId));
    };
    return tie(*this) < tie(o);
}

std::optional<PromptEncoding> PromptEncodingCache::find(const PromptEncodingKey& key) {
    std::lock_guard lock(m_mutex);
    const auto it = m_index.find(key);
    if (it == m_index.end()) {
        ++m_misses;
        return std::nullopt;
    }
    ++m_hits;
    m_entries.splice(m_entries.begin(), m_entries, it->second);
    return it->second->second;
}

void PromptEncodingCache::insert(const PromptEncodingKey& key, PromptEncoding value) {
    std::lock_guard lock(m_mutex);
    if (m_capacity == 0) return;
    if (const auto it = m_index.find(key); it != m_index.end()) {
        it->second->second = std::move(value);
        m_entries.splice(m_entries.begin(), m_entries, it->second);
        return;
    }
    m_entries.emplace_front(key, std::move(value));
    m_index[key] = m_entries.begin();
    while (m_entries.size() > m_capacity) {
        m_index.erase(m_entries.back().first);
        m_entries.pop_back();
    }
}

void PromptEncodingCache::clear() {
    std::lock_guard lock(m_mutex);
    m_entries.clear();
    m_index.clear();
}

std::size_t PromptEncodingCache::size() const {
    std::lock_guard lock(m_mutex);
    return m_entries.size();
}

} // namespace lumina::text
