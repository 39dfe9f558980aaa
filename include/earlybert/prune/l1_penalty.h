// The L1 penalty EarlyBERT adds to the task loss during the search phase:
//   λ_heads · Σ|c_head| + λ_ffn · Σ|c_ffn|
// summed over all layers (Hugging Face-style names of the knobs: l1_loss_self_coef for heads,
// l1_loss_inter_coef for the FFN).
#pragma once

#include <torch/types.h>

#include <vector>

#include "earlybert/model/slimming.h"

namespace earlybert {

/// The two raw sums (scalar fp32 tensors, differentiable), for the loss and for logging.
struct L1Sums {
  torch::Tensor heads;  ///< Σ over layers of Σ|head coefficients|
  torch::Tensor ffn;    ///< Σ over layers of Σ|FFN coefficients|
};

/// Error when the coefficients are absent (a model built with slimming = false).
L1Sums slimming_l1_sums(const std::vector<LayerSlimming>& coefficients);

/// λ_heads · sums.heads + λ_ffn · sums.ffn as one scalar tensor.
torch::Tensor slimming_l1_penalty(const std::vector<LayerSlimming>& coefficients, double lambda_heads,
                                  double lambda_ffn);

}  // namespace earlybert
