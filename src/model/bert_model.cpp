// BertModel: embeddings -> encoder -> optional pooler.
#include "earlybert/model/bert_model.h"

#include <c10/util/Exception.h>

#include "earlybert/runtime/matmul.h"
#include "model/init.h"

namespace earlybert {

torch::Tensor additive_attention_mask(const torch::Tensor& attention_mask, torch::ScalarType dtype) {
  // Hugging Face uses finfo(dtype).min rather than -inf so that a fully padded row stays finite.
  const double lowest = dtype == torch::kDouble     ? std::numeric_limits<double>::lowest()
                        : dtype == torch::kHalf     ? -65504.0
                        : dtype == torch::kBFloat16 ? -3.3895313892515355e38
                                                    : static_cast<double>(std::numeric_limits<float>::lowest());
  const auto keep = attention_mask.to(dtype);
  return ((1.0 - keep) * lowest).view({attention_mask.size(0), 1, 1, attention_mask.size(1)});
}

BertPoolerImpl::BertPoolerImpl(BertConfig config_) : config(std::move(config_)) { reset(); }

void BertPoolerImpl::reset() {
  dense = register_module("dense", torch::nn::Linear(config.hidden_size, config.hidden_size));
  detail::init_linear(dense, config.initializer_range);
}

torch::Tensor BertPoolerImpl::forward(const torch::Tensor& sequence_output) {
  return at::tanh(earlybert::linear(sequence_output.select(1, 0), dense->weight, dense->bias));
}

BertModelImpl::BertModelImpl(BertConfig config, bool add_pooling_layer)
    : config_(std::move(config)), add_pooling_layer_(add_pooling_layer) {
  config_.validate();
  reset();
}

void BertModelImpl::reset() {
  embeddings = register_module("embeddings", BertEmbeddings(config_));
  encoder = register_module("encoder", BertEncoder(config_));
  pooler = nullptr;
  if (add_pooling_layer_) pooler = register_module("pooler", BertPooler(config_));
}

BertModelOutput BertModelImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids,
                                       const torch::Tensor& attention_mask) {
  TORCH_CHECK(input_ids.dim() == 2, "input_ids must be [batch, seq_len], got ", input_ids.sizes());
  BertModelOutput out;
  auto hidden = embeddings->forward(input_ids, token_type_ids);
  torch::Tensor mask;
  if (attention_mask.defined()) mask = additive_attention_mask(attention_mask, hidden.scalar_type());
  out.sequence_output = encoder->forward(hidden, mask);
  if (pooler) out.pooled_output = pooler->forward(out.sequence_output);
  return out;
}

}  // namespace earlybert
