// Private helpers: strict parsing and round-trip formatting of scalar values written as text
// (YAML scalars, --set values, CLI flags). Shared by the config loader and the model presets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace earlybert::train_detail {

/// A whole-string integer ("12", "-1"); nullopt for anything else ("1.0", "12abc", "").
std::optional<int64_t> parse_int(const std::string& text);

/// A whole-string finite number ("1e-4", "3", ".5"); nullopt for anything else, inf and nan included.
std::optional<double> parse_double(const std::string& text);

/// true/false, yes/no, on/off, 1/0 (case-insensitive); nullopt otherwise.
std::optional<bool> parse_bool(const std::string& text);

/// Shortest decimal text that parses back to exactly `value` ("0.0001", "1e-08", "0.3333333333333333").
std::string format_double(double value);

/// Levenshtein distance, for "did you mean" suggestions.
size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace earlybert::train_detail
