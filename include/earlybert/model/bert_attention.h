// Multi-head self-attention with one slimming coefficient per head.
//
//   BertSelfAttention  query, key, value [, slimming_coef]  -> per-head context, heads merged
//   BertSelfOutput     dense, LayerNorm                      -> residual + LayerNorm
//   BertAttention      self, output
//
// Names match Hugging Face (encoder.layer.N.attention.self.query.weight, ...); the head coefficients
// are `attention.self.slimming_coef` [num_heads], the name the official EarlyBERT code uses, fp32,
// initialised to 1.
//
// Where the coefficient acts: coefficient c_h scales head h's context before the heads are merged
// (equivalently, its attention probabilities). BertAttention does not multiply the [B,S,heads*d]
// context; it folds the scale into the columns of attention.output.dense instead:
//   (ctx · diag(c ⊗ 1_d)) Wᵀ = ctx · (W · diag(c ⊗ 1_d))ᵀ,
// which is the same function and the same gradients, computed on the small weight rather than on the
// activations. BertSelfAttention::forward alone therefore returns the *unscaled* context.
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "earlybert/model/bert_layer_options.h"

namespace earlybert {

class BertSelfAttentionImpl : public torch::nn::Cloneable<BertSelfAttentionImpl> {
 public:
  explicit BertSelfAttentionImpl(BertLayerOptions options);
  void reset() override;

  /// hidden [B,S,hidden], additive_mask [B,1,1,S] (0 keep, very negative drop) or undefined
  /// -> context [B,S,num_heads*head_dim], not yet scaled by the coefficients.
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask = {});

  /// The head coefficients repeated over each head's width: [num_heads*head_dim], in `dtype`;
  /// undefined when the model has no slimming coefficients.
  torch::Tensor context_scale(torch::ScalarType dtype) const;

  BertLayerOptions options;
  torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr};
  torch::Tensor slimming_coef;  ///< [num_heads] fp32, or undefined when options.slimming() is false
};
TORCH_MODULE(BertSelfAttention);

class BertSelfOutputImpl : public torch::nn::Cloneable<BertSelfOutputImpl> {
 public:
  explicit BertSelfOutputImpl(BertLayerOptions options);
  void reset() override;

  /// LayerNorm(dropout(context · (W·diag(scale))ᵀ + b) + input). `scale` [all_head_size] may be
  /// undefined (no scaling).
  torch::Tensor forward(const torch::Tensor& context, const torch::Tensor& input, const torch::Tensor& scale = {});

  BertLayerOptions options;
  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
};
TORCH_MODULE(BertSelfOutput);

class BertAttentionImpl : public torch::nn::Cloneable<BertAttentionImpl> {
 public:
  explicit BertAttentionImpl(BertLayerOptions options);
  void reset() override;

  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask = {});

  BertLayerOptions options;
  BertSelfAttention self{nullptr};
  BertSelfOutput output{nullptr};
};
TORCH_MODULE(BertAttention);

}  // namespace earlybert
