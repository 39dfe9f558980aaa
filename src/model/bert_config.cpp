// BertConfig: presets, validation, and the config.json reader/writer (Hugging Face field names).
#include "earlybert/model/bert_config.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "base/json_fields.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"

namespace earlybert {

using json_fields::json;
using json_fields::JsonReader;

namespace {

const std::vector<std::string> kActivations = {"gelu", "gelu_new", "gelu_pytorch_tanh", "relu"};

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

bool contains(const std::vector<std::string>& names, const std::string& n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

std::string where_key(const std::string& source, const std::string& key) { return source + ": key '" + key + "'"; }

// Reads a JSON array of integers (each element checked) from `r[key]`.
std::vector<int64_t> int_list(const JsonReader& r, const std::string& key) {
  const json& v = r.raw(key);
  if (!v.is_array()) fail(r.where(key), std::string("expected an array of integers, got ") + v.type_name());
  std::vector<int64_t> out;
  for (size_t i = 0; i < v.size(); ++i) {
    out.push_back(json_fields::convert<int64_t>(v[i], r.where(key + "[" + std::to_string(i) + "]")));
  }
  return out;
}

// Parses a JSON object key that must be a non-negative decimal integer ("0", "12").
int64_t index_key(const std::string& k, const std::string& where) {
  if (k.empty() || k.size() > 9 || !std::all_of(k.begin(), k.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    fail(where, "expected a non-negative integer key, got '" + k + "'");
  }
  return std::stoll(k);
}

}  // namespace

int64_t BertConfig::layer_heads(int64_t layer) const {
  if (heads_per_layer.empty()) return num_attention_heads;
  return heads_per_layer.at(static_cast<size_t>(layer));
}

int64_t BertConfig::layer_intermediate_size(int64_t layer) const {
  if (intermediate_sizes.empty()) return intermediate_size;
  return intermediate_sizes.at(static_cast<size_t>(layer));
}

bool BertConfig::is_pruned() const {
  for (int64_t l = 0; l < num_hidden_layers; ++l) {
    if (layer_heads(l) != num_attention_heads || layer_intermediate_size(l) != intermediate_size) return true;
  }
  return false;
}

void BertConfig::validate(const std::string& source) const {
  auto bad = [&](const std::string& key, const std::string& what) { fail(where_key(source, key), what); };
  auto positive = [&](const std::string& key, int64_t v) {
    if (v <= 0) bad(key, "must be positive, got " + std::to_string(v));
  };
  positive("vocab_size", vocab_size);
  positive("hidden_size", hidden_size);
  positive("num_hidden_layers", num_hidden_layers);
  positive("num_attention_heads", num_attention_heads);
  positive("intermediate_size", intermediate_size);
  positive("max_position_embeddings", max_position_embeddings);
  positive("type_vocab_size", type_vocab_size);
  positive("num_labels", num_labels);
  if (hidden_size % num_attention_heads != 0) {
    bad("hidden_size", "hidden_size " + std::to_string(hidden_size) + " is not divisible by num_attention_heads " +
                           std::to_string(num_attention_heads));
  }
  if (!contains(kActivations, hidden_act)) {
    bad("hidden_act", "unsupported activation '" + hidden_act + "' (supported: " + join(kActivations) + ")");
  }
  auto probability = [&](const std::string& key, double p) {
    if (!(p >= 0.0 && p < 1.0)) bad(key, "must be in [0, 1), got " + std::to_string(p));
  };
  probability("hidden_dropout_prob", hidden_dropout_prob);
  probability("attention_probs_dropout_prob", attention_probs_dropout_prob);
  if (classifier_dropout) probability("classifier_dropout", *classifier_dropout);
  if (!(layer_norm_eps > 0.0)) bad("layer_norm_eps", "must be positive");
  if (!(initializer_range >= 0.0)) bad("initializer_range", "must not be negative");
  if (pad_token_id < 0 || pad_token_id >= vocab_size) {
    bad("pad_token_id",
        "must be in [0, vocab_size=" + std::to_string(vocab_size) + "), got " + std::to_string(pad_token_id));
  }
  if (!id2label.empty() && static_cast<int64_t>(id2label.size()) != num_labels) {
    bad("id2label",
        "has " + std::to_string(id2label.size()) + " labels but num_labels is " + std::to_string(num_labels));
  }
  if (problem_type == ProblemType::Regression && num_labels != 1) {
    bad("problem_type", "regression needs num_labels 1, got " + std::to_string(num_labels));
  }
  for (const auto& [layer, heads] : pruned_heads) {
    const std::string key = "pruned_heads." + std::to_string(layer);
    if (layer < 0 || layer >= num_hidden_layers) {
      bad(key, "layer out of range [0, " + std::to_string(num_hidden_layers) + ")");
    }
    std::set<int64_t> seen;
    for (int64_t h : heads) {
      if (h < 0 || h >= num_attention_heads) {
        bad(key, "head " + std::to_string(h) + " out of range [0, " + std::to_string(num_attention_heads) + ")");
      }
      if (!seen.insert(h).second) bad(key, "head " + std::to_string(h) + " listed twice");
    }
    if (static_cast<int64_t>(seen.size()) >= num_attention_heads) bad(key, "prunes every head of the layer");
  }
  const auto layers = static_cast<size_t>(num_hidden_layers);
  if (!heads_per_layer.empty()) {
    if (heads_per_layer.size() != layers) {
      bad("earlybert_heads_per_layer", "has " + std::to_string(heads_per_layer.size()) +
                                           " entries but num_hidden_layers is " + std::to_string(layers));
    }
    for (size_t l = 0; l < layers; ++l) {
      if (heads_per_layer[l] < 1 || heads_per_layer[l] > num_attention_heads) {
        bad("earlybert_heads_per_layer[" + std::to_string(l) + "]",
            "must be in [1, " + std::to_string(num_attention_heads) + "], got " + std::to_string(heads_per_layer[l]));
      }
    }
  }
  if (!intermediate_sizes.empty()) {
    if (intermediate_sizes.size() != layers) {
      bad("earlybert_intermediate_sizes", "has " + std::to_string(intermediate_sizes.size()) +
                                              " entries but num_hidden_layers is " + std::to_string(layers));
    }
    for (size_t l = 0; l < layers; ++l) {
      if (intermediate_sizes[l] < 1) {
        bad("earlybert_intermediate_sizes[" + std::to_string(l) + "]",
            "must be positive, got " + std::to_string(intermediate_sizes[l]));
      }
    }
  }
  for (const auto& [layer, heads] : pruned_heads) {
    if (!heads.empty() && layer_heads(layer) != num_attention_heads - static_cast<int64_t>(heads.size())) {
      bad("pruned_heads." + std::to_string(layer),
          "removes " + std::to_string(heads.size()) + " heads but earlybert_heads_per_layer keeps " +
              std::to_string(layer_heads(layer)) + " of " + std::to_string(num_attention_heads));
    }
  }
}

std::vector<std::string> BertConfig::preset_names() {
  return {"bert-tiny", "bert-mini", "bert-small", "bert-medium", "bert-base", "bert-large"};
}

BertConfig BertConfig::preset(const std::string& name) {
  struct Size {
    const char* name;
    int64_t layers, hidden, heads;
  };
  // Google's BERT miniatures (Turc et al. 2019) and the two original sizes.
  static const Size sizes[] = {{"bert-tiny", 2, 128, 2},   {"bert-mini", 4, 256, 4},   {"bert-small", 4, 512, 8},
                               {"bert-medium", 8, 512, 8}, {"bert-base", 12, 768, 12}, {"bert-large", 24, 1024, 16}};
  for (const auto& s : sizes) {
    if (name == s.name) {
      BertConfig c;
      c.num_hidden_layers = s.layers;
      c.hidden_size = s.hidden;
      c.num_attention_heads = s.heads;
      c.intermediate_size = 4 * s.hidden;
      c.vocab_size = 30522;
      return c;
    }
  }
  fail("model preset '" + name + "'", "unknown preset (valid: " + join(preset_names()) + ")");
}

BertConfig BertConfig::from_json(const std::string& text, const std::string& source) {
  const json doc = json_fields::parse(text, source);
  const JsonReader r(doc, source);
  BertConfig c;
  c.vocab_size = r.require<int64_t>("vocab_size");
  c.hidden_size = r.require<int64_t>("hidden_size");
  c.num_hidden_layers = r.require<int64_t>("num_hidden_layers");
  c.num_attention_heads = r.require<int64_t>("num_attention_heads");
  c.intermediate_size = r.require<int64_t>("intermediate_size");
  c.hidden_act = r.optional<std::string>("hidden_act", c.hidden_act);
  c.hidden_dropout_prob = r.optional<double>("hidden_dropout_prob", c.hidden_dropout_prob);
  c.attention_probs_dropout_prob = r.optional<double>("attention_probs_dropout_prob", c.attention_probs_dropout_prob);
  c.max_position_embeddings = r.optional<int64_t>("max_position_embeddings", c.max_position_embeddings);
  c.type_vocab_size = r.optional<int64_t>("type_vocab_size", c.type_vocab_size);
  c.layer_norm_eps = r.optional<double>("layer_norm_eps", c.layer_norm_eps);
  c.initializer_range = r.optional<double>("initializer_range", c.initializer_range);
  c.pad_token_id = r.optional<int64_t>("pad_token_id", c.pad_token_id);
  if (r.has("classifier_dropout")) c.classifier_dropout = r.require<double>("classifier_dropout");
  if (const std::string t = r.optional<std::string>("problem_type", ""); !t.empty())
    c.problem_type = parse_enum<ProblemType>(t, r.where("problem_type"));
  c.slimming = r.optional<bool>("earlybert_slimming", c.slimming);

  if (r.has("model_type")) {
    const auto mt = r.require<std::string>("model_type");
    if (mt != "bert") fail(r.where("model_type"), "expected 'bert', got '" + mt + "'");
  }
  if (r.has("position_embedding_type")) {
    const auto pe = r.require<std::string>("position_embedding_type");
    if (pe != "absolute") fail(r.where("position_embedding_type"), "only 'absolute' is supported, got '" + pe + "'");
  }
  if (r.has("architectures")) {
    const json& a = r.raw("architectures");
    if (!a.is_array()) fail(r.where("architectures"), std::string("expected an array, got ") + a.type_name());
    for (size_t i = 0; i < a.size(); ++i) {
      c.architectures.push_back(
          json_fields::convert<std::string>(a[i], r.where("architectures[" + std::to_string(i) + "]")));
    }
  }

  // Labels: Hugging Face derives num_labels from id2label; plain "num_labels" (and the legacy
  // "_num_labels") are accepted too, and must agree when several are present.
  std::optional<int64_t> n_labels;
  auto agree = [&](const std::string& key, int64_t n) {
    if (n_labels && *n_labels != n) {
      fail(r.where(key),
           "says " + std::to_string(n) + " labels but another label field says " + std::to_string(*n_labels));
    }
    n_labels = n;
  };
  if (r.has("id2label")) {
    const JsonReader labels = r.child("id2label");
    std::vector<std::string> names(labels.object().size());
    for (const auto& [k, v] : labels.object().items()) {
      const int64_t i = index_key(k, labels.where(k));
      if (i >= static_cast<int64_t>(names.size())) {
        fail(labels.where(k), "label ids must be 0.." + std::to_string(names.size() - 1));
      }
      names[static_cast<size_t>(i)] = json_fields::convert<std::string>(v, labels.where(k));
    }
    agree("id2label", static_cast<int64_t>(names.size()));
    // Hugging Face writes "LABEL_i" when no names were given; keep "no names" so configs round-trip.
    bool generic = true;
    for (size_t i = 0; i < names.size(); ++i) generic = generic && names[i] == "LABEL_" + std::to_string(i);
    if (!generic) c.id2label = std::move(names);
  }
  if (r.has("num_labels")) agree("num_labels", r.require<int64_t>("num_labels"));
  if (r.has("_num_labels")) agree("_num_labels", r.require<int64_t>("_num_labels"));
  if (n_labels) c.num_labels = *n_labels;

  if (r.has("pruned_heads")) {
    const JsonReader ph = r.child("pruned_heads");
    for (const auto& [k, v] : ph.object().items()) {
      const int64_t layer = index_key(k, ph.where(k));
      c.pruned_heads[layer] = int_list(ph, k);
    }
    for (auto it = c.pruned_heads.begin(); it != c.pruned_heads.end();) {
      std::sort(it->second.begin(), it->second.end());
      it = it->second.empty() ? c.pruned_heads.erase(it) : std::next(it);
    }
  }
  if (r.has("earlybert_heads_per_layer")) c.heads_per_layer = int_list(r, "earlybert_heads_per_layer");
  if (r.has("earlybert_intermediate_sizes")) c.intermediate_sizes = int_list(r, "earlybert_intermediate_sizes");
  // A Hugging Face checkpoint with pruned heads has only "pruned_heads": derive the per-layer counts.
  if (c.heads_per_layer.empty() && !c.pruned_heads.empty() && c.num_hidden_layers > 0 &&
      c.num_hidden_layers < (1 << 20)) {
    c.heads_per_layer.assign(static_cast<size_t>(c.num_hidden_layers), c.num_attention_heads);
    for (const auto& [layer, heads] : c.pruned_heads) {
      if (layer >= 0 && layer < c.num_hidden_layers) {
        c.heads_per_layer[static_cast<size_t>(layer)] -= static_cast<int64_t>(heads.size());
      }
    }
  }
  c.validate(source);
  return c;
}

BertConfig BertConfig::load(const std::string& path) { return from_json(read_file(path), path); }

std::string BertConfig::to_json() const {
  json j;
  if (!architectures.empty()) j["architectures"] = architectures;
  j["attention_probs_dropout_prob"] = attention_probs_dropout_prob;
  j["classifier_dropout"] = classifier_dropout ? json(*classifier_dropout) : json(nullptr);
  j["hidden_act"] = hidden_act;
  j["hidden_dropout_prob"] = hidden_dropout_prob;
  j["hidden_size"] = hidden_size;
  json id2 = json::object(), l2id = json::object();
  for (int64_t i = 0; i < num_labels; ++i) {
    const std::string name = id2label.empty() ? "LABEL_" + std::to_string(i) : id2label[static_cast<size_t>(i)];
    id2[std::to_string(i)] = name;
    l2id[name] = i;
  }
  j["id2label"] = id2;
  j["label2id"] = l2id;
  j["initializer_range"] = initializer_range;
  j["intermediate_size"] = intermediate_size;
  j["layer_norm_eps"] = layer_norm_eps;
  j["max_position_embeddings"] = max_position_embeddings;
  j["model_type"] = "bert";
  j["num_attention_heads"] = num_attention_heads;
  j["num_hidden_layers"] = num_hidden_layers;
  j["pad_token_id"] = pad_token_id;
  j["position_embedding_type"] = "absolute";
  j["problem_type"] = problem_type ? json(to_string(*problem_type)) : json(nullptr);
  json ph = json::object();
  for (const auto& [layer, heads] : pruned_heads) {
    if (!heads.empty()) ph[std::to_string(layer)] = heads;
  }
  j["pruned_heads"] = ph;
  j["type_vocab_size"] = type_vocab_size;
  j["vocab_size"] = vocab_size;
  j["earlybert_slimming"] = slimming;
  if (!heads_per_layer.empty()) j["earlybert_heads_per_layer"] = heads_per_layer;
  if (!intermediate_sizes.empty()) j["earlybert_intermediate_sizes"] = intermediate_sizes;
  return j.dump(2) + "\n";
}

void BertConfig::save(const std::string& path) const { write_file_atomic(path, to_json()); }

bool BertConfig::operator==(const BertConfig& o) const {
  return vocab_size == o.vocab_size && hidden_size == o.hidden_size && num_hidden_layers == o.num_hidden_layers &&
         num_attention_heads == o.num_attention_heads && intermediate_size == o.intermediate_size &&
         hidden_act == o.hidden_act && hidden_dropout_prob == o.hidden_dropout_prob &&
         attention_probs_dropout_prob == o.attention_probs_dropout_prob &&
         max_position_embeddings == o.max_position_embeddings && type_vocab_size == o.type_vocab_size &&
         layer_norm_eps == o.layer_norm_eps && initializer_range == o.initializer_range &&
         pad_token_id == o.pad_token_id && classifier_dropout == o.classifier_dropout && num_labels == o.num_labels &&
         id2label == o.id2label && problem_type == o.problem_type && architectures == o.architectures &&
         pruned_heads == o.pruned_heads && slimming == o.slimming && heads_per_layer == o.heads_per_layer &&
         intermediate_sizes == o.intermediate_sizes;
}

}  // namespace earlybert
