// What a run's model looks like after pruning, layer by layer: which attention heads survive and how
// wide the FFN is — the input of the report's structure picture.
//
// It comes from the ticket's PruningPlan when the run drew (or was given) a ticket, and from the
// run's config.json otherwise (a dense run: every head and neuron kept, unless the model it started
// from was already pruned, which config.json's pruned_heads and per-layer FFN widths record).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace earlybert {
struct PruningPlan;
struct BertConfig;
}  // namespace earlybert

namespace earlybert::report {

struct LayerStructure {
  int64_t num_heads = 0;        ///< heads of the unpruned layer
  std::vector<bool> head_kept;  ///< num_heads entries
  int64_t neurons_total = 0;    ///< FFN width of the unpruned layer
  int64_t neurons_kept = 0;
};

/// Per layer: the plan's kept heads and neurons out of the layer's counts.
std::vector<LayerStructure> structure_from_plan(const PruningPlan& plan);

/// Per layer: the heads config.json's pruned_heads leaves (original numbering) and the FFN width of
/// each layer out of intermediate_size.
std::vector<LayerStructure> structure_from_config(const BertConfig& config);

int64_t kept_heads(const std::vector<LayerStructure>& layers);
int64_t total_heads(const std::vector<LayerStructure>& layers);
int64_t kept_neurons(const std::vector<LayerStructure>& layers);
int64_t total_neurons(const std::vector<LayerStructure>& layers);

}  // namespace earlybert::report
