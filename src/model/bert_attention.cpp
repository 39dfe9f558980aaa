// Self-attention with per-head slimming coefficients (folded into attention.output.dense).
#include "earlybert/model/bert_attention.h"

#include "earlybert/runtime/matmul.h"
#include "model/attention_core.h"
#include "model/init.h"

namespace earlybert {

BertSelfAttentionImpl::BertSelfAttentionImpl(BertLayerOptions options_) : options(options_) { reset(); }

void BertSelfAttentionImpl::reset() {
  const auto& o = options;
  auto linear = [&](const char* name) {
    auto m = register_module(name, torch::nn::Linear(o.hidden_size(), o.all_head_size()));
    detail::init_linear(m, o.initializer_range());
    return m;
  };
  query = linear("query");
  key = linear("key");
  value = linear("value");
  slimming_coef = torch::Tensor();
  if (o.slimming()) {
    slimming_coef = register_parameter("slimming_coef", torch::ones({o.num_heads()}, torch::kFloat32));
  }
}

torch::Tensor BertSelfAttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask) {
  const auto q = earlybert::linear(hidden, query->weight, query->bias);
  const auto k = earlybert::linear(hidden, key->weight, key->bias);
  const auto v = earlybert::linear(hidden, value->weight, value->bias);
  return detail::attention_context(q, k, v, additive_mask, options.num_heads(), options.head_dim(),
                                   options.attention_dropout(), is_training());
}

torch::Tensor BertSelfAttentionImpl::context_scale(torch::ScalarType dtype) const {
  if (!slimming_coef.defined()) return {};
  // [heads] -> [heads, d] -> [heads*d]: c_h repeated over head h's columns (no host sync, unlike
  // repeat_interleave on some devices).
  const int64_t heads = slimming_coef.size(0);
  return slimming_coef.to(dtype).unsqueeze(1).expand({heads, options.head_dim()}).reshape({-1});
}

BertSelfOutputImpl::BertSelfOutputImpl(BertLayerOptions options_) : options(options_) { reset(); }

void BertSelfOutputImpl::reset() {
  const auto& o = options;
  dense = register_module("dense", torch::nn::Linear(o.all_head_size(), o.hidden_size()));
  LayerNorm = register_module(
      "LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.hidden_size()}).eps(o.layer_norm_eps())));
  detail::init_linear(dense, o.initializer_range());
  detail::init_layer_norm(LayerNorm);
}

torch::Tensor BertSelfOutputImpl::forward(const torch::Tensor& context, const torch::Tensor& input,
                                          const torch::Tensor& scale) {
  const auto& w = dense->weight;
  auto h = earlybert::linear(context, scale.defined() ? w * scale : w, dense->bias);
  h = detail::maybe_dropout(h, options.hidden_dropout(), is_training());
  return detail::layer_norm(LayerNorm, h + input);
}

BertAttentionImpl::BertAttentionImpl(BertLayerOptions options_) : options(options_) { reset(); }

void BertAttentionImpl::reset() {
  self = register_module("self", BertSelfAttention(options));
  output = register_module("output", BertSelfOutput(options));
}

torch::Tensor BertAttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask) {
  const auto context = self->forward(hidden, additive_mask);
  return output->forward(context, hidden, self->context_scale(output->dense->weight.scalar_type()));
}

}  // namespace earlybert
