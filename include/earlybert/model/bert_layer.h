// One encoder layer: attention, then the feed-forward block with one slimming coefficient per neuron.
//
//   BertIntermediate  dense (hidden -> intermediate), activation
//   BertOutput        dense (intermediate -> hidden), dropout, residual + LayerNorm
//   BertLayer         attention, intermediate, output [, slimming_coef]
//
// The FFN coefficients are `encoder.layer.N.slimming_coef` [intermediate_size] (the official EarlyBERT
// name: the parameter belongs to the layer, not to either dense), fp32, initialised to 1. Coefficient
// c_i scales neuron i's activation before output.dense; like the head coefficients it is applied by
// folding it into output.dense's columns (act·diag(c))Wᵀ = act·(W·diag(c))ᵀ, which is exact and cheaper.
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "earlybert/model/bert_attention.h"
#include "earlybert/model/bert_layer_options.h"

namespace earlybert {

class BertIntermediateImpl : public torch::nn::Cloneable<BertIntermediateImpl> {
 public:
  explicit BertIntermediateImpl(BertLayerOptions options);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& hidden);

  BertLayerOptions options;
  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(BertIntermediate);

class BertOutputImpl : public torch::nn::Cloneable<BertOutputImpl> {
 public:
  explicit BertOutputImpl(BertLayerOptions options);
  void reset() override;
  /// LayerNorm(dropout(act · (W·diag(scale))ᵀ + b) + input); `scale` [intermediate] may be undefined.
  torch::Tensor forward(const torch::Tensor& act, const torch::Tensor& input, const torch::Tensor& scale = {});

  BertLayerOptions options;
  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
};
TORCH_MODULE(BertOutput);

class BertLayerImpl : public torch::nn::Cloneable<BertLayerImpl> {
 public:
  explicit BertLayerImpl(BertLayerOptions options);
  void reset() override;
  /// hidden [B,S,hidden], additive_mask [B,1,1,S] or undefined -> [B,S,hidden].
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask = {});

  BertLayerOptions options;
  BertAttention attention{nullptr};
  BertIntermediate intermediate{nullptr};
  BertOutput output{nullptr};
  torch::Tensor slimming_coef;  ///< [intermediate_size] fp32, or undefined when slimming is off
};
TORCH_MODULE(BertLayer);

}  // namespace earlybert
