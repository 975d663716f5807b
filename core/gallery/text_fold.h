#pragma once
// Case folding for prompt search: SQLite's LIKE/lower() fold ASCII only, so the gallery stores a folded copy
// of the prompt text, made here, and searches it with instr() (substring match, which also suits CJK, where
// word tokenizers such as FTS5's unicode61 fail).
#include <string>
#include <string_view>

namespace lumina::gallery {

// Full Unicode lowercasing (Python's str.lower(), core/util/python_text.h), with final sigma folded to sigma
// so that either spelling finds the other. Invalid UTF-8 is lowercased in ASCII only and otherwise kept, so
// folding never fails.
std::string foldCase(std::string_view utf8);

} // namespace lumina::gallery
