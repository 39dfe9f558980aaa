// Model configurations from presets and files — see include/earlybert/train/model_presets.h.
#include "earlybert/train/model_presets.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "base/json_fields.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "train/scalar_text.h"

namespace earlybert {
namespace {

using json = nlohmann::json;

enum class Kind { Int, Float, NullableFloat, String, NullableString, Bool, StringList };

struct Key {
  const char* name;
  Kind kind;
};

// Hugging Face BertConfig fields that BertConfig reads, plus EarlyBERT's earlybert_slimming.
const std::vector<Key>& keys() {
  static const std::vector<Key> k = {
      {"architectures", Kind::StringList},
      {"attention_probs_dropout_prob", Kind::Float},
      {"classifier_dropout", Kind::NullableFloat},
      {"earlybert_slimming", Kind::Bool},
      {"hidden_act", Kind::String},
      {"hidden_dropout_prob", Kind::Float},
      {"hidden_size", Kind::Int},
      {"initializer_range", Kind::Float},
      {"intermediate_size", Kind::Int},
      {"layer_norm_eps", Kind::Float},
      {"max_position_embeddings", Kind::Int},
      {"model_type", Kind::String},
      {"num_attention_heads", Kind::Int},
      {"num_hidden_layers", Kind::Int},
      {"num_labels", Kind::Int},
      {"pad_token_id", Kind::Int},
      {"position_embedding_type", Kind::String},
      {"problem_type", Kind::NullableString},
      {"type_vocab_size", Kind::Int},
      {"use_cache", Kind::Bool},
      {"vocab_size", Kind::Int},
  };
  return k;
}

const Key* find_key(const std::string& name) {
  for (const auto& k : keys())
    if (name == k.name) return &k;
  return nullptr;
}

std::string at_line(const std::string& source, const YAML::Mark& m) {
  return m.is_null() ? source : source + ":" + std::to_string(m.line + 1);
}

json value_from_yaml(const YAML::Node& v, Kind kind, const std::string& where) {
  using namespace train_detail;
  if (kind == Kind::StringList) {
    if (!v.IsSequence()) fail(where, "expected a list of strings");
    json arr = json::array();
    for (const auto& item : v) {
      if (!item.IsScalar()) fail(where, "expected a list of strings");
      arr.push_back(item.Scalar());
    }
    return arr;
  }
  if (v.IsNull()) {
    if (kind == Kind::NullableFloat || kind == Kind::NullableString) return nullptr;
    fail(where, "expected a value, got nothing (null)");
  }
  if (!v.IsScalar()) fail(where, "expected a scalar");
  const std::string& t = v.Scalar();
  switch (kind) {
    case Kind::Int: {
      auto i = parse_int(t);
      if (!i) fail(where, "expected an integer, got '" + t + "'");
      return *i;
    }
    case Kind::Float:
    case Kind::NullableFloat: {
      auto d = parse_double(t);
      if (!d) fail(where, "expected a number, got '" + t + "'");
      return *d;
    }
    case Kind::Bool: {
      auto b = parse_bool(t);
      if (!b) fail(where, "expected a boolean, got '" + t + "'");
      return *b;
    }
    default:
      return t;
  }
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

const std::vector<std::string>& model_config_yaml_keys() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& k : keys()) n.emplace_back(k.name);
    return n;
  }();
  return names;
}

std::string model_yaml_to_config_json(const std::string& yaml_text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    fail(at_line(source, e.mark), "malformed YAML: " + e.msg);
  }
  if (!root.IsMap()) fail(source, "expected a mapping of Hugging Face BERT config fields");
  json j = json::object();
  for (const auto& item : root) {
    const std::string where = at_line(source, item.first.Mark());
    if (!item.first.IsScalar()) fail(where, "expected a scalar key");
    const std::string name = item.first.Scalar();
    const Key* k = find_key(name);
    if (k == nullptr) fail(where, "unknown model config key '" + name + "'");
    if (j.contains(name)) fail(where, "key '" + name + "' appears twice");
    j[name] = value_from_yaml(item.second, k->kind, where + ": key '" + name + "'");
  }
  return j.dump(2) + "\n";
}

BertConfig load_model_config(const std::string& name_or_path) {
  const auto names = BertConfig::preset_names();
  if (std::find(names.begin(), names.end(), name_or_path) != names.end()) return BertConfig::preset(name_or_path);
  if (ends_with(name_or_path, ".yaml") || ends_with(name_or_path, ".yml"))
    return BertConfig::from_json(model_yaml_to_config_json(read_file(name_or_path), name_or_path), name_or_path);
  if (ends_with(name_or_path, ".json")) return BertConfig::load(name_or_path);
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  fail("config_name", "'" + name_or_path + "' is neither a preset (" + list + ") nor a .yaml/.json config file");
}

}  // namespace earlybert
