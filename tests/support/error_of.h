#pragma once
// The message of the error a call throws, for tests of bad input: the text of a ModelLoadError, a marker
// naming any other exception type, or "NO ERROR" when the call returns.
#include "core/util/errors.h"

#include <QString>
#include <exception>

namespace lumina::test {

template <typename F> QString loadErrorOf(F&& f) {
    try {
        f();
    } catch (const ModelLoadError& e) {
        return QString::fromStdString(e.what());
    } catch (const std::exception& e) {
        return "WRONG EXCEPTION TYPE: " + QString::fromStdString(e.what());
    }
    return "NO ERROR";
}

} // namespace lumina::test
