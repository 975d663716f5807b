#pragma once
// Minimal command-line parser for lumina-cli: `command --key value --flag`. Unknown options are errors.
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace lumina::cli {

// Exit codes shared by every command (a contract: scripts depend on them).
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitModel = 3;
inline constexpr int kExitOutOfMemory = 4;
inline constexpr int kExitNetwork = 5;
inline constexpr int kExitCancelled = 130;

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Arguments {
public:
    // `valueOptions` take one value, `flagOptions` none, `repeatedOptions` one value each time they are given
    // (any number of times). Throws UsageError.
    Arguments(const std::vector<std::string>& args, const std::set<std::string>& valueOptions,
              const std::set<std::string>& flagOptions, const std::set<std::string>& repeatedOptions = {});

    bool has(const std::string& name) const {
        return m_values.count(name) || m_flags.count(name) || m_repeated.count(name);
    }
    // The values of a repeated option in the order given (empty when absent).
    std::vector<std::string> values(const std::string& name) const;
    bool flag(const std::string& name) const { return m_flags.count(name) > 0; }
    std::optional<std::string> value(const std::string& name) const;
    std::string required(const std::string& name) const;
    std::string valueOr(const std::string& name, const std::string& fallback) const;
    int64_t intValue(const std::string& name, int64_t fallback) const;
    double doubleValue(const std::string& name, double fallback) const;
    // One of `choices`, else UsageError naming them.
    std::string choice(const std::string& name, const std::vector<std::string>& choices,
                       const std::string& fallback) const;

private:
    std::map<std::string, std::string> m_values;
    std::set<std::string> m_flags;
    std::map<std::string, std::vector<std::string>> m_repeated;
};

} // namespace lumina::cli
