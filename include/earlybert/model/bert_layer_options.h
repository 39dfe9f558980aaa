// BertLayerOptions — the sizes one encoder layer is built from.
//
// Layers of a pruned model differ in their head count and FFN width, so each layer's modules take
// their own options (derived from BertConfig by for_layer()) instead of the whole config. Physical
// pruning updates these options together with the weights, which keeps clone() working.
#pragma once

#include <torch/arg.h>

#include <cstdint>
#include <string>

#include "earlybert/model/activation.h"
#include "earlybert/model/bert_config.h"

namespace earlybert {

struct BertLayerOptions {
  /// num_heads * head_dim: the width of Q, K, V and of attention.output.dense's input.
  int64_t all_head_size() const { return num_heads_ * head_dim_; }

  /// Options of layer `layer` of `config` (per-layer head count and FFN width).
  static BertLayerOptions for_layer(const BertConfig& config, int64_t layer);

  TORCH_ARG(int64_t, hidden_size) = 768;
  TORCH_ARG(int64_t, num_heads) = 12;  ///< heads kept in this layer
  TORCH_ARG(int64_t, head_dim) = 64;   ///< width of one head (unchanged by pruning)
  TORCH_ARG(int64_t, intermediate_size) = 3072;
  TORCH_ARG(Activation, activation) = Activation::GeluErf;
  TORCH_ARG(double, hidden_dropout) = 0.1;
  TORCH_ARG(double, attention_dropout) = 0.1;
  TORCH_ARG(double, layer_norm_eps) = 1e-12;
  TORCH_ARG(double, initializer_range) = 0.02;
  TORCH_ARG(bool, slimming) = true;  ///< register slimming coefficients
};

}  // namespace earlybert
