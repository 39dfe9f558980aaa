// Per-layer structure from a pruning plan or a config — see include/earlybert/report/model_structure.h.
#include "earlybert/report/model_structure.h"

#include "earlybert/model/bert_config.h"
#include "earlybert/prune/pruning_plan.h"

namespace earlybert::report {

std::vector<LayerStructure> structure_from_plan(const PruningPlan& plan) {
  std::vector<LayerStructure> layers;
  for (const LayerPlan& lp : plan.layers) {
    LayerStructure s;
    s.num_heads = lp.num_heads;
    s.head_kept.assign(static_cast<size_t>(lp.num_heads), false);
    for (int64_t h : lp.kept_heads)
      if (h >= 0 && h < lp.num_heads) s.head_kept[static_cast<size_t>(h)] = true;
    s.neurons_total = lp.intermediate_size;
    s.neurons_kept = static_cast<int64_t>(lp.kept_neurons.size());
    layers.push_back(std::move(s));
  }
  return layers;
}

std::vector<LayerStructure> structure_from_config(const BertConfig& config) {
  std::vector<LayerStructure> layers;
  for (int64_t l = 0; l < config.num_hidden_layers; ++l) {
    LayerStructure s;
    s.num_heads = config.num_attention_heads;
    s.head_kept.assign(static_cast<size_t>(s.num_heads), true);
    const auto pruned = config.pruned_heads.find(l);
    if (pruned != config.pruned_heads.end()) {
      for (int64_t h : pruned->second)
        if (h >= 0 && h < s.num_heads) s.head_kept[static_cast<size_t>(h)] = false;
    } else {
      // Fewer heads without pruned_heads saying which: the original indices are unknown; the picture
      // shows the count, as the first heads.
      for (int64_t h = config.layer_heads(l); h < s.num_heads; ++h) s.head_kept[static_cast<size_t>(h)] = false;
    }
    s.neurons_total = config.intermediate_size;
    s.neurons_kept = config.layer_intermediate_size(l);
    layers.push_back(std::move(s));
  }
  return layers;
}

int64_t kept_heads(const std::vector<LayerStructure>& layers) {
  int64_t n = 0;
  for (const auto& l : layers)
    for (bool k : l.head_kept) n += k ? 1 : 0;
  return n;
}

int64_t total_heads(const std::vector<LayerStructure>& layers) {
  int64_t n = 0;
  for (const auto& l : layers) n += l.num_heads;
  return n;
}

int64_t kept_neurons(const std::vector<LayerStructure>& layers) {
  int64_t n = 0;
  for (const auto& l : layers) n += l.neurons_kept;
  return n;
}

int64_t total_neurons(const std::vector<LayerStructure>& layers) {
  int64_t n = 0;
  for (const auto& l : layers) n += l.neurons_total;
  return n;
}

}  // namespace earlybert::report
