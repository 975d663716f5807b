#pragma once
// Case folding for prompt search: SQLite's LIKE/lower() fold ASCII only, so the gallery stores a folded copy
// of the prompt text, made here, and searches it with instr() (substring match, which also suits CJK, where
// word tokenizers such as FTS5's unicode61 fail).
#include <string>
#include <string_view>

namespace lumina::gallery {

// Lowercases ASCII, Latin-1, Latin Extended-A, Latin Extended Additional, Greek (final sigma folds to sigma),
// Cyrillic, Armenian and fullwidth Latin; other code points (CJK has no case) are kept. Invalid UTF-8 bytes
// are kept as they are, so folding never fails.
std::string foldCase(std::string_view utf8);

// The lowercase form of one code point under the rules above.
char32_t foldCodePoint(char32_t c);

} // namespace lumina::gallery
