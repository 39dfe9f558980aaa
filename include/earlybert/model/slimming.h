// Access to the slimming coefficients of a BertModel, layer by layer.
//
// EarlyBERT learns one coefficient per attention head (encoder.layer.N.attention.self.slimming_coef)
// and one per FFN neuron (encoder.layer.N.slimming_coef), penalises them with L1
// (prune/l1_penalty.h) and draws pruning masks from their magnitudes (prune/masks.h).
#pragma once

#include <torch/types.h>

#include <vector>

#include "earlybert/model/bert_model.h"

namespace earlybert {

/// The coefficient parameters of one layer (the registered tensors themselves, so a penalty built
/// from them is differentiable). Undefined when the model has no coefficients.
struct LayerSlimming {
  torch::Tensor heads;  ///< [heads kept in the layer]
  torch::Tensor ffn;    ///< [FFN width of the layer]
};

/// One entry per encoder layer, in layer order.
std::vector<LayerSlimming> slimming_coefficients(BertModelImpl& bert);
inline std::vector<LayerSlimming> slimming_coefficients(const BertModel& bert) {
  return slimming_coefficients(*bert.ptr());
}

/// |coefficient| values copied to the host, per layer: the scores masks are drawn from.
struct SlimmingScores {
  std::vector<std::vector<float>> heads;
  std::vector<std::vector<float>> ffn;
};

/// Error when the model has no coefficients (config.slimming false).
SlimmingScores slimming_scores(const std::vector<LayerSlimming>& coefficients);

}  // namespace earlybert
