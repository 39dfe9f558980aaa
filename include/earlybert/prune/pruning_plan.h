// PruningPlan — which heads and FFN neurons of each layer survive; the "ticket" EarlyBERT draws.
//
// Indices are the layer's current numbering (0..num_heads−1, 0..intermediate_size−1) and each layer
// records the counts they refer to, so a plan drawn for one shape cannot be applied silently to
// another. Plans are stored as JSON:
//   {"format": "earlybert.pruning_plan", "version": 1,
//    "layers": [{"num_heads": 8, "intermediate_size": 2048,
//                "kept_heads": [0, 2, ...], "kept_neurons": [1, 5, ...]}, ...]}
// The random-ticket baseline of the paper is random_plan(): the same number of heads and neurons per
// layer, chosen uniformly at random with a seeded std::mt19937_64 (same seed, same plan, on every
// platform; torch's RNG is not involved).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "earlybert/model/bert_config.h"
#include "earlybert/prune/masks.h"

namespace earlybert {

struct LayerPlan {
  int64_t num_heads = 0;              ///< heads in the layer the indices refer to
  int64_t intermediate_size = 0;      ///< FFN neurons in the layer the indices refer to
  std::vector<int64_t> kept_heads;    ///< strictly increasing, non-empty
  std::vector<int64_t> kept_neurons;  ///< strictly increasing, non-empty

  bool operator==(const LayerPlan& o) const {
    return num_heads == o.num_heads && intermediate_size == o.intermediate_size && kept_heads == o.kept_heads &&
           kept_neurons == o.kept_neurons;
  }
};

struct PruningPlan {
  std::vector<LayerPlan> layers;

  std::string to_json() const;
  /// Parses and checks a plan (structure, sorted unique in-range indices); errors name `source`,
  /// the layer and the key.
  static PruningPlan from_json(const std::string& text, const std::string& source = "pruning plan");
  void save(const std::string& path) const;
  static PruningPlan load(const std::string& path);

  int64_t kept_heads() const;
  int64_t kept_neurons() const;

  bool operator==(const PruningPlan& o) const { return layers == o.layers; }
  bool operator!=(const PruningPlan& o) const { return !(*this == o); }
};

/// Error ("<source>: layer L: ...") unless the plan is well formed and fits `config`: same number of
/// layers, and each layer's num_heads / intermediate_size equal to the config's current counts.
void validate_plan(const PruningPlan& plan, const BertConfig& config, const std::string& source = "pruning plan");

/// The plan keeping the units set in the masks (one head mask and one neuron mask per layer).
PruningPlan plan_from_masks(const LayerMasks& head_masks, const LayerMasks& neuron_masks);

/// The masks a plan keeps (inverse of plan_from_masks).
LayerMasks plan_head_masks(const PruningPlan& plan);
LayerMasks plan_neuron_masks(const PruningPlan& plan);

/// The plan that keeps everything of `config` (useful as the identity).
PruningPlan full_plan(const BertConfig& config);

/// Random ticket: per layer, as many heads and neurons as `like` keeps, drawn uniformly without
/// replacement (layer 0 heads, layer 0 neurons, layer 1 heads, ... from one mt19937_64(seed)).
PruningPlan random_plan(const PruningPlan& like, uint64_t seed);

}  // namespace earlybert
