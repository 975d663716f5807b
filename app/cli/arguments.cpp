#include "app/cli/arguments.h"

#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace lumina::cli {

Arguments::Arguments(const std::vector<std::string>& args, const std::set<std::string>& valueOptions,
                     const std::set<std::string>& flagOptions, const std::set<std::string>& repeatedOptions) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string a = args[i];
        if (a.rfind("--", 0) != 0) throw UsageError(fmt::format("unexpected argument '{}'", a));
        std::string name = a.substr(2), inlineValue;
        bool hasInline = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inlineValue = name.substr(eq + 1);
            name = name.substr(0, eq);
            hasInline = true;
        }
        if (repeatedOptions.count(name)) {
            if (!hasInline) {
                if (i + 1 >= args.size()) throw UsageError(fmt::format("--{} needs a value", name));
                inlineValue = args[++i];
            }
            m_repeated[name].push_back(inlineValue);
        } else if (valueOptions.count(name)) {
            if (!hasInline) {
                if (i + 1 >= args.size()) throw UsageError(fmt::format("--{} needs a value", name));
                inlineValue = args[++i];
            }
            if (m_values.count(name)) throw UsageError(fmt::format("--{} given twice", name));
            m_values[name] = inlineValue;
        } else if (flagOptions.count(name) && !hasInline) {
            m_flags.insert(name);
        } else {
            throw UsageError(fmt::format("unknown option '--{}'", name));
        }
    }
}

std::vector<std::string> Arguments::values(const std::string& name) const {
    auto it = m_repeated.find(name);
    return it == m_repeated.end() ? std::vector<std::string>{} : it->second;
}

std::optional<std::string> Arguments::value(const std::string& name) const {
    auto it = m_values.find(name);
    if (it == m_values.end()) return std::nullopt;
    return it->second;
}

std::string Arguments::required(const std::string& name) const {
    auto v = value(name);
    if (!v) throw UsageError(fmt::format("--{} is required", name));
    return *v;
}

std::string Arguments::valueOr(const std::string& name, const std::string& fallback) const {
    return value(name).value_or(fallback);
}

int64_t Arguments::intValue(const std::string& name, int64_t fallback) const {
    auto v = value(name);
    if (!v) return fallback;
    try {
        std::size_t used = 0;
        const long long n = std::stoll(*v, &used);
        if (used != v->size()) throw std::invalid_argument("trailing");
        return n;
    } catch (const std::exception&) {
        throw UsageError(fmt::format("--{} must be an integer, not '{}'", name, *v));
    }
}

double Arguments::doubleValue(const std::string& name, double fallback) const {
    auto v = value(name);
    if (!v) return fallback;
    try {
        std::size_t used = 0;
        const double d = std::stod(*v, &used);
        if (used != v->size() || !std::isfinite(d)) throw std::invalid_argument("bad");
        return d;
    } catch (const std::exception&) {
        throw UsageError(fmt::format("--{} must be a finite number, not '{}'", name, *v));
    }
}

std::string Arguments::choice(const std::string& name, const std::vector<std::string>& choices,
                              const std::string& fallback) const {
    auto v = value(name);
    if (!v) return fallback;
    for (const auto& c : choices)
        if (c == *v) return c;
    throw UsageError(fmt::format("--{} must be one of {}, not '{}'", name, fmt::join(choices, "|"), *v));
}

} // namespace lumina::cli
