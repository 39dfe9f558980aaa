// Encoder layer: attention + feed-forward with per-neuron slimming coefficients.
#include "earlybert/model/bert_layer.h"

#include "earlybert/runtime/matmul.h"
#include "model/init.h"

namespace earlybert {

BertLayerOptions BertLayerOptions::for_layer(const BertConfig& c, int64_t layer) {
  return BertLayerOptions()
      .hidden_size(c.hidden_size)
      .num_heads(c.layer_heads(layer))
      .head_dim(c.head_dim())
      .intermediate_size(c.layer_intermediate_size(layer))
      .activation(parse_activation(c.hidden_act))
      .hidden_dropout(c.hidden_dropout_prob)
      .attention_dropout(c.attention_probs_dropout_prob)
      .layer_norm_eps(c.layer_norm_eps)
      .initializer_range(c.initializer_range)
      .slimming(c.slimming);
}

BertIntermediateImpl::BertIntermediateImpl(BertLayerOptions options_) : options(options_) { reset(); }

void BertIntermediateImpl::reset() {
  dense = register_module("dense", torch::nn::Linear(options.hidden_size(), options.intermediate_size()));
  detail::init_linear(dense, options.initializer_range());
}

torch::Tensor BertIntermediateImpl::forward(const torch::Tensor& hidden) {
  return apply_activation(earlybert::linear(hidden, dense->weight, dense->bias), options.activation());
}

BertOutputImpl::BertOutputImpl(BertLayerOptions options_) : options(options_) { reset(); }

void BertOutputImpl::reset() {
  const auto& o = options;
  dense = register_module("dense", torch::nn::Linear(o.intermediate_size(), o.hidden_size()));
  LayerNorm = register_module(
      "LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.hidden_size()}).eps(o.layer_norm_eps())));
  detail::init_linear(dense, o.initializer_range());
  detail::init_layer_norm(LayerNorm);
}

torch::Tensor BertOutputImpl::forward(const torch::Tensor& act, const torch::Tensor& input,
                                      const torch::Tensor& scale) {
  const auto& w = dense->weight;
  auto h = earlybert::linear(act, scale.defined() ? w * scale : w, dense->bias);
  h = detail::maybe_dropout(h, options.hidden_dropout(), is_training());
  return detail::layer_norm(LayerNorm, h + input);
}

BertLayerImpl::BertLayerImpl(BertLayerOptions options_) : options(options_) { reset(); }

void BertLayerImpl::reset() {
  slimming_coef = torch::Tensor();
  if (options.slimming()) {
    slimming_coef = register_parameter("slimming_coef", torch::ones({options.intermediate_size()}, torch::kFloat32));
  }
  attention = register_module("attention", BertAttention(options));
  intermediate = register_module("intermediate", BertIntermediate(options));
  output = register_module("output", BertOutput(options));
}

torch::Tensor BertLayerImpl::forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask) {
  const auto attended = attention->forward(hidden, additive_mask);
  const auto act = intermediate->forward(attended);
  torch::Tensor scale;
  if (slimming_coef.defined()) scale = slimming_coef.to(output->dense->weight.scalar_type());
  return output->forward(act, attended, scale);
}

}  // namespace earlybert
