#include "core/gallery/text_fold.h"

#include "core/util/python_text.h"
#include "core/util/utf8.h"

namespace lumina::gallery {

std::string foldCase(std::string_view utf8) {
    std::string s(utf8);
    if (!isValidUtf8(s)) {
        for (char& c : s)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
        return s;
    }
    s = pythonLower(s);
    static const std::string kFinalSigma = "\u03C2", kSigma = "\u03C3";
    for (auto pos = s.find(kFinalSigma); pos != std::string::npos; pos = s.find(kFinalSigma, pos))
        s.replace(pos, kFinalSigma.size(), kSigma);
    return s;
}

} // namespace lumina::gallery
