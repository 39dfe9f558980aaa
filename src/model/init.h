// Private: Hugging Face's BertPreTrainedModel._init_weights, one helper per module type.
//   Linear: weight ~ N(0, initializer_range), bias = 0
//   Embedding: weight ~ N(0, initializer_range), padding row = 0
//   LayerNorm: weight = 1, bias = 0
#pragma once

#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "earlybert/model/dropout.h"

#include <optional>

namespace earlybert::detail {

inline void init_linear(const torch::nn::Linear& m, double std) {
  torch::NoGradGuard no_grad;
  m->weight.normal_(0.0, std);
  if (m->bias.defined()) m->bias.zero_();
}

inline void init_embedding(const torch::nn::Embedding& m, double std,
                           std::optional<int64_t> padding_idx = std::nullopt) {
  torch::NoGradGuard no_grad;
  m->weight.normal_(0.0, std);
  if (padding_idx) m->weight[*padding_idx].zero_();
}

inline void init_layer_norm(const torch::nn::LayerNorm& m) {
  torch::NoGradGuard no_grad;
  m->weight.fill_(1.0);
  m->bias.zero_();
}

/// LayerNorm in its parameters' dtype (fp32): under autocast the input may be bf16 (LibTorch 1.13's CPU
/// autocast leaves layer_norm in its input's dtype), and the statistics must be fp32.
inline torch::Tensor layer_norm(torch::nn::LayerNorm& ln, const torch::Tensor& x) {
  return ln->forward(x.to(ln->weight.scalar_type()));
}

/// Dropout only while training and only when it does something (earlybert::dropout: fast on CPU).
inline torch::Tensor maybe_dropout(const torch::Tensor& x, double p, bool training) {
  return earlybert::dropout(x, p, training);
}

}  // namespace earlybert::detail
