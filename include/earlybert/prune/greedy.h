// Greedy forward selection (Ye et al., "Good subnetworks provably exist: pruning via greedy forward
// selection", the early-bird bound paper) on EarlyBERT's units — the pure part: the order in which
// units are added.
//
// After k dense updates (ticket_step) the sub-network is built from nothing: starting with every head
// and FFN neuron switched off, each step adds the candidate whose addition gives the lowest loss on a
// probe batch, until every layer has its target number of heads and neurons (the counts of the ticket's
// ratios per layer, as for the random ticket: prune/ticket.h). A candidate is one head, or a group of
// greedy_group_size consecutive FFN neurons of one layer (for speed: one forward pass per candidate per
// step); a group that would overshoot its layer's target adds only its first units. Ties go to the
// lower candidate index. Exposing k lets the paper's claim — good sub-networks exist after a threshold
// number of dense iterations — be checked by running greedy at several k (docs/TICKETS.md).
//
// The loss is a callback over masks (the trainer switches units with their slimming coefficients and
// runs the probe batch, prune/unit_scores.h), so the order is tested on constructed losses and on a
// tiny model whose best unit is known by construction.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "earlybert/prune/masks.h"

namespace earlybert {

enum class UnitKind { Head, Neuron };

struct GreedyCandidate {
  UnitKind kind = UnitKind::Head;
  int64_t layer = 0;
  std::vector<int64_t> units;  ///< head index, or consecutive neuron indices
};

/// Heads one by one (layer 0's heads, then layer 1's, ...), then each layer's neurons in groups of
/// `group_size` (the last group of a layer may be smaller). Error when group_size < 1.
std::vector<GreedyCandidate> greedy_candidates(const std::vector<int64_t>& heads_per_layer,
                                               const std::vector<int64_t>& neurons_per_layer, int64_t group_size);

struct GreedyPick {
  size_t candidate = 0;        ///< index into the candidates
  std::vector<int64_t> added;  ///< the units added (a group may be cut at its layer's target)
  double loss = 0;             ///< the probe loss after adding them
};

struct GreedyResult {
  double empty_loss = 0;          ///< the loss with every unit off
  std::vector<GreedyPick> picks;  ///< in the order they were added
  LayerMasks heads, ffn;          ///< the selected sub-network
};

/// Masks over units as the loss callback receives them.
using MasksLoss = std::function<double(const LayerMasks& heads, const LayerMasks& ffn)>;

/// Adds candidates greedily until each layer has `heads_target[l]` heads and `neurons_target[l]`
/// neurons (targets between 1 and the layer's size; Error otherwise).
GreedyResult greedy_forward_selection(const std::vector<int64_t>& heads_per_layer,
                                      const std::vector<int64_t>& neurons_per_layer,
                                      const std::vector<int64_t>& heads_target,
                                      const std::vector<int64_t>& neurons_target,
                                      const std::vector<GreedyCandidate>& candidates, const MasksLoss& loss);

}  // namespace earlybert
