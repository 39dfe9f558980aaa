// Unit scores: how important each attention head and FFN neuron is, by the measures the lottery-ticket
// lab ranks units with (imp's ticket_score, RigL's drop criterion), and the masking of units through
// their slimming coefficients (RigL and greedy selection switch units on and off without changing shapes).
//
//   slimming    |c| of the unit's slimming coefficient (EarlyBERT's score, learnt with the L1 term)
//   magnitude   the L1 norm of the weights that belong to the unit alone:
//                 head h (width d):  Σ|query.weight[h·d … h·d+d−1, :]| + the same rows of key and value
//                                    + Σ|attention.output.dense.weight[:, h·d … h·d+d−1]|
//                 FFN neuron n:      Σ|intermediate.dense.weight[n, :]| + Σ|output.dense.weight[:, n]|
//               Biases are left out: they do not scale with the unit's contribution the way weights do
//               (and the output bias is shared by all units).
//
// Masking: a unit whose coefficient is 0 contributes nothing (the coefficients scale the head's context
// and the neuron's activation before the output projection, model/slimming.h), which is exactly what
// physical pruning computes (prune/apply_plan.h). Growing a unit back "with zero-initialised outputs"
// zeroes its output slice (the columns of attention.output.dense / output.dense above) before its
// coefficient becomes 1, so the network's function does not change at that moment.
#pragma once

#include <vector>

#include "earlybert/model/bert_model.h"
#include "earlybert/prune/masks.h"
#include "earlybert/prune/ticket_options.h"

namespace earlybert {

/// One score per unit, per layer (the model's current numbering).
struct UnitScores {
  std::vector<std::vector<float>> heads;
  std::vector<std::vector<float>> ffn;
};

/// The weight-magnitude scores above, computed on the model's device and copied to the host.
UnitScores magnitude_scores(BertModelImpl& bert);

/// Scores of `kind`; slimming needs the coefficients (Error naming ticket_score otherwise).
UnitScores unit_scores(BertModelImpl& bert, UnitScore kind);

/// Sets every slimming coefficient to 1 where the mask keeps the unit and to 0 where it does not.
/// Error when the model has no coefficients or the masks do not have the model's layer sizes.
void mask_units_by_coefficients(BertModelImpl& bert, const LayerMasks& heads, const LayerMasks& ffn);

/// Zeroes the output slices of the listed units (per layer: head indices, neuron indices), so that
/// switching them on does not change the function.
void zero_unit_outputs(BertModelImpl& bert, const std::vector<std::vector<int64_t>>& heads,
                       const std::vector<std::vector<int64_t>>& neurons);

}  // namespace earlybert
