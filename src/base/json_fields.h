// Private helpers for reading JSON documents with errors that name the file and the JSON path.
//
//   JsonReader r(doc, "config.json");
//   int h = r.require<int>("hidden_size");          // missing or wrong type -> Error naming the key
//   double p = r.optional<double>("hidden_dropout_prob", 0.1);
//
// nlohmann::json stays out of the public headers; every loader in src/ uses this instead of raw
// .at()/.get<>() calls, whose exceptions would not say which file was at fault.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"

namespace earlybert::json_fields {

using nlohmann::json;

/// Parses `text` (the contents of `source`); a syntax error names the source and byte offset. Not only
/// parse_error: a number too large for a double ("1e400") is an out_of_range exception (found by
/// fuzzing, fuzz/regressions/bert_config).
inline json parse(const std::string& text, const std::string& source) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    fail(source, std::string("malformed JSON: ") + e.what());
  }
}

/// Reads and parses a JSON file.
inline json parse_file(const std::string& path) { return parse(read_file(path), path); }

inline const char* type_name(const json& v) { return v.type_name(); }

/// Converts `v` to T or fails naming `where`.
template <typename T>
T convert(const json& v, const std::string& where) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) fail(where, std::string("expected a boolean, got ") + type_name(v));
  } else if constexpr (std::is_integral_v<T>) {
    if (!v.is_number_integer()) fail(where, std::string("expected an integer, got ") + type_name(v));
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!v.is_number()) fail(where, std::string("expected a number, got ") + type_name(v));
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) fail(where, std::string("expected a string, got ") + type_name(v));
  }
  try {
    return v.get<T>();
  } catch (const json::exception& e) {
    fail(where, std::string("wrong type: ") + e.what());
  }
}

/// A view on one JSON object with the source name kept for error messages.
class JsonReader {
 public:
  JsonReader(const json& obj, std::string source, std::string path = "")
      : obj_(obj), source_(std::move(source)), path_(std::move(path)) {
    if (!obj_.is_object()) fail(where(""), std::string("expected an object, got ") + type_name(obj_));
  }

  bool has(const std::string& key) const { return obj_.contains(key) && !obj_.at(key).is_null(); }

  template <typename T>
  T require(const std::string& key) const {
    if (!obj_.contains(key)) fail(where(key), "missing required field");
    return convert<T>(obj_.at(key), where(key));
  }

  template <typename T>
  T optional(const std::string& key, T fallback) const {
    if (!has(key)) return fallback;
    return convert<T>(obj_.at(key), where(key));
  }

  const json& raw(const std::string& key) const {
    if (!obj_.contains(key)) fail(where(key), "missing required field");
    return obj_.at(key);
  }

  JsonReader child(const std::string& key) const {
    return JsonReader(raw(key), source_, path_.empty() ? key : path_ + "." + key);
  }

  /// Readers for the objects of the list under `key` (paths "key[i]"); Error when it is not a list.
  std::vector<JsonReader> list(const std::string& key) const {
    const json& items = raw(key);
    if (!items.is_array()) fail(where(key), "expected a list");
    std::vector<JsonReader> out;
    out.reserve(items.size());
    const std::string base = path_.empty() ? key : path_ + "." + key;
    for (size_t i = 0; i < items.size(); ++i) out.emplace_back(items[i], source_, base + "[" + std::to_string(i) + "]");
    return out;
  }

  /// "file: key 'a.b'" — the prefix used in every error about `key`.
  std::string where(const std::string& key) const {
    std::string p = path_;
    if (!key.empty()) p = p.empty() ? key : p + "." + key;
    return p.empty() ? source_ : source_ + ": key '" + p + "'";
  }

  const json& object() const { return obj_; }

 private:
  const json& obj_;
  std::string source_;
  std::string path_;
};

}  // namespace earlybert::json_fields
