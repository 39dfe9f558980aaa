// Names of typed run state: one table per enum, read once at the edge (YAML, flags, JSON files).
//
// The run's state (phase, ticket mode, draw reason, rewind, optimizer, pruning method, ...) is an
// enum inside the library; files and command lines spell it as text. Each enum has exactly one list
// of its spellings — a specialisation of EnumNames next to the enum — and everything else derives
// from it: parsing with an error that lists the allowed values, to_string(), and the `choices` of the
// configuration key that holds it (so --help, docs/CONFIG.md and validation cannot drift apart).
//
//   enum class RewindMode { Initial, None };
//   template <> struct EnumNames<RewindMode> {
//     static constexpr const char* what = "rewind mode";
//     static constexpr std::array<EnumName<RewindMode>, 2> values{{{RewindMode::Initial, "initial"},
//                                                                 {RewindMode::None, "none"}}};
//   };
//   inline std::string to_string(RewindMode m) { return enum_to_string(m); }
//
// A table may list extra spellings for a value after its first one (aliases, e.g. "adamw_torch" for
// AdamW): parsing accepts them, to_string() writes the first, and choices lists every spelling.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "earlybert/base/error.h"

namespace earlybert {

template <class E>
struct EnumName {
  E value;
  const char* name;
};

/// Specialised next to each enum: `what` (a noun for errors) and `values` (every value at least once).
template <class E>
struct EnumNames;

/// The canonical (first listed) spelling of `value`.
template <class E>
std::string enum_to_string(E value) {
  for (const auto& entry : EnumNames<E>::values)
    if (entry.value == value) return entry.name;
  return "?";  // unreachable for a complete table; a test checks every table round-trips
}

/// Every spelling, in table order (the allowed values of a configuration key).
template <class E>
std::vector<std::string> enum_choices() {
  std::vector<std::string> out;
  for (const auto& entry : EnumNames<E>::values) out.emplace_back(entry.name);
  return out;
}

/// "a, b, c" — the allowed values for an error message.
template <class E>
std::string enum_choices_text() {
  std::string out;
  for (const auto& entry : EnumNames<E>::values) {
    if (!out.empty()) out += ", ";
    out += entry.name;
  }
  return out;
}

/// True and `out` set when `text` is one of E's spellings.
template <class E>
bool try_parse_enum(std::string_view text, E& out) {
  for (const auto& entry : EnumNames<E>::values) {
    if (text == entry.name) {
      out = entry.value;
      return true;
    }
  }
  return false;
}

/// The value spelled `text`; Error "<where>: unknown <what> 'x' (a, b, c)" otherwise.
template <class E>
E parse_enum(std::string_view text, const std::string& where) {
  E value{};
  if (!try_parse_enum(text, value))
    fail(where, std::string("unknown ") + EnumNames<E>::what + " '" + std::string(text) + "' (" +
                    enum_choices_text<E>() + ")");
  return value;
}

}  // namespace earlybert
