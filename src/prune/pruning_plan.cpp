// PruningPlan: JSON round trip, validation against a config, masks <-> plan, random tickets.
#include "earlybert/prune/pruning_plan.h"

#include <random>

#include "base/json_fields.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"

namespace earlybert {

using json_fields::json;
using json_fields::JsonReader;

namespace {

constexpr const char* kFormat = "earlybert.pruning_plan";
constexpr int64_t kVersion = 1;

// Indices must be strictly increasing, within [0, n), and at least one.
void check_indices(const std::vector<int64_t>& idx, int64_t n, const std::string& where, const char* what) {
  if (idx.empty()) fail(where, std::string("keeps no ") + what + " (every layer keeps at least one)");
  for (size_t i = 0; i < idx.size(); ++i) {
    if (idx[i] < 0 || idx[i] >= n) {
      fail(where,
           std::string(what) + " index " + std::to_string(idx[i]) + " out of range [0, " + std::to_string(n) + ")");
    }
    if (i > 0 && idx[i] <= idx[i - 1]) {
      fail(where, std::string(what) + " indices must be strictly increasing (" + std::to_string(idx[i - 1]) + " then " +
                      std::to_string(idx[i]) + ")");
    }
  }
}

void check_layer(const LayerPlan& p, const std::string& where) {
  if (p.num_heads < 1) fail(where + ": key 'num_heads'", "must be positive");
  if (p.intermediate_size < 1) fail(where + ": key 'intermediate_size'", "must be positive");
  check_indices(p.kept_heads, p.num_heads, where + ": key 'kept_heads'", "head");
  check_indices(p.kept_neurons, p.intermediate_size, where + ": key 'kept_neurons'", "neuron");
}

std::vector<int64_t> int_array(const JsonReader& r, const std::string& key) {
  const json& v = r.raw(key);
  if (!v.is_array()) fail(r.where(key), std::string("expected an array of integers, got ") + v.type_name());
  std::vector<int64_t> out;
  for (size_t i = 0; i < v.size(); ++i) {
    out.push_back(json_fields::convert<int64_t>(v[i], r.where(key + "[" + std::to_string(i) + "]")));
  }
  return out;
}

std::vector<int64_t> kept_from_mask(const std::vector<bool>& mask) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < mask.size(); ++i) {
    if (mask[i]) out.push_back(static_cast<int64_t>(i));
  }
  return out;
}

std::vector<bool> mask_from_kept(const std::vector<int64_t>& kept, int64_t n) {
  std::vector<bool> mask(static_cast<size_t>(n), false);
  for (int64_t i : kept) mask.at(static_cast<size_t>(i)) = true;
  return mask;
}

// Uniform integer in [0, n) by rejection: exact and identical on every standard library (unlike
// std::uniform_int_distribution, whose algorithm is implementation-defined).
uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
  const uint64_t limit = std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % n;
  uint64_t x;
  do {
    x = rng();
  } while (x >= limit);
  return x % n;
}

// k distinct values from [0, n), sorted: a partial Fisher-Yates shuffle.
std::vector<int64_t> sample_sorted(std::mt19937_64& rng, int64_t n, size_t k) {
  std::vector<int64_t> pool(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) pool[static_cast<size_t>(i)] = i;
  for (size_t i = 0; i < k; ++i) {
    const size_t j = i + static_cast<size_t>(uniform_below(rng, static_cast<uint64_t>(n) - i));
    std::swap(pool[i], pool[j]);
  }
  pool.resize(k);
  std::sort(pool.begin(), pool.end());
  return pool;
}

}  // namespace

std::string PruningPlan::to_json() const {
  json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["layers"] = json::array();
  for (const auto& l : layers) {
    j["layers"].push_back({{"num_heads", l.num_heads},
                           {"intermediate_size", l.intermediate_size},
                           {"kept_heads", l.kept_heads},
                           {"kept_neurons", l.kept_neurons}});
  }
  return j.dump(2) + "\n";
}

PruningPlan PruningPlan::from_json(const std::string& text, const std::string& source) {
  const json doc = json_fields::parse(text, source);
  const JsonReader r(doc, source);
  const auto format = r.require<std::string>("format");
  if (format != kFormat) fail(r.where("format"), "expected '" + std::string(kFormat) + "', got '" + format + "'");
  const auto version = r.require<int64_t>("version");
  if (version != kVersion) fail(r.where("version"), "unsupported version " + std::to_string(version));
  const json& layers = r.raw("layers");
  if (!layers.is_array()) fail(r.where("layers"), std::string("expected an array, got ") + layers.type_name());
  PruningPlan plan;
  for (size_t i = 0; i < layers.size(); ++i) {
    const JsonReader lr(layers[i], source, "layers[" + std::to_string(i) + "]");
    LayerPlan p;
    p.num_heads = lr.require<int64_t>("num_heads");
    p.intermediate_size = lr.require<int64_t>("intermediate_size");
    p.kept_heads = int_array(lr, "kept_heads");
    p.kept_neurons = int_array(lr, "kept_neurons");
    check_layer(p, source + ": layer " + std::to_string(i));
    plan.layers.push_back(std::move(p));
  }
  return plan;
}

void PruningPlan::save(const std::string& path) const { write_file_atomic(path, to_json()); }

PruningPlan PruningPlan::load(const std::string& path) { return from_json(read_file(path), path); }

int64_t PruningPlan::kept_heads() const {
  int64_t n = 0;
  for (const auto& l : layers) n += static_cast<int64_t>(l.kept_heads.size());
  return n;
}

int64_t PruningPlan::kept_neurons() const {
  int64_t n = 0;
  for (const auto& l : layers) n += static_cast<int64_t>(l.kept_neurons.size());
  return n;
}

void validate_plan(const PruningPlan& plan, const BertConfig& config, const std::string& source) {
  if (static_cast<int64_t>(plan.layers.size()) != config.num_hidden_layers) {
    fail(source, "plan has " + std::to_string(plan.layers.size()) + " layers but the model has " +
                     std::to_string(config.num_hidden_layers));
  }
  for (size_t i = 0; i < plan.layers.size(); ++i) {
    const auto& p = plan.layers[i];
    const std::string where = source + ": layer " + std::to_string(i);
    const int64_t heads = config.layer_heads(static_cast<int64_t>(i));
    const int64_t width = config.layer_intermediate_size(static_cast<int64_t>(i));
    if (p.num_heads != heads) {
      fail(where + ": key 'num_heads'",
           "plan is for " + std::to_string(p.num_heads) + " heads but the layer has " + std::to_string(heads));
    }
    if (p.intermediate_size != width) {
      fail(where + ": key 'intermediate_size'", "plan is for " + std::to_string(p.intermediate_size) +
                                                    " neurons but the layer has " + std::to_string(width));
    }
    check_layer(p, where);
  }
}

PruningPlan plan_from_masks(const LayerMasks& head_masks, const LayerMasks& neuron_masks) {
  if (head_masks.size() != neuron_masks.size()) {
    fail("plan_from_masks", "head masks have " + std::to_string(head_masks.size()) + " layers, neuron masks " +
                                std::to_string(neuron_masks.size()));
  }
  PruningPlan plan;
  for (size_t l = 0; l < head_masks.size(); ++l) {
    LayerPlan p;
    p.num_heads = static_cast<int64_t>(head_masks[l].size());
    p.intermediate_size = static_cast<int64_t>(neuron_masks[l].size());
    p.kept_heads = kept_from_mask(head_masks[l]);
    p.kept_neurons = kept_from_mask(neuron_masks[l]);
    check_layer(p, "plan_from_masks: layer " + std::to_string(l));
    plan.layers.push_back(std::move(p));
  }
  return plan;
}

LayerMasks plan_head_masks(const PruningPlan& plan) {
  LayerMasks m;
  for (const auto& l : plan.layers) m.push_back(mask_from_kept(l.kept_heads, l.num_heads));
  return m;
}

LayerMasks plan_neuron_masks(const PruningPlan& plan) {
  LayerMasks m;
  for (const auto& l : plan.layers) m.push_back(mask_from_kept(l.kept_neurons, l.intermediate_size));
  return m;
}

PruningPlan full_plan(const BertConfig& config) {
  PruningPlan plan;
  for (int64_t i = 0; i < config.num_hidden_layers; ++i) {
    LayerPlan p;
    p.num_heads = config.layer_heads(i);
    p.intermediate_size = config.layer_intermediate_size(i);
    for (int64_t h = 0; h < p.num_heads; ++h) p.kept_heads.push_back(h);
    for (int64_t n = 0; n < p.intermediate_size; ++n) p.kept_neurons.push_back(n);
    plan.layers.push_back(std::move(p));
  }
  return plan;
}

PruningPlan random_plan(const PruningPlan& like, uint64_t seed) {
  std::mt19937_64 rng(seed);
  PruningPlan plan;
  for (size_t l = 0; l < like.layers.size(); ++l) {
    const auto& src = like.layers[l];
    check_layer(src, "random_plan: layer " + std::to_string(l));
    LayerPlan p;
    p.num_heads = src.num_heads;
    p.intermediate_size = src.intermediate_size;
    p.kept_heads = sample_sorted(rng, src.num_heads, src.kept_heads.size());
    p.kept_neurons = sample_sorted(rng, src.intermediate_size, src.kept_neurons.size());
    plan.layers.push_back(std::move(p));
  }
  return plan;
}

}  // namespace earlybert
