// Masked-LM and pre-training heads; the decoder weight is the (tied) word-embedding matrix.
#include "earlybert/model/bert_heads.h"

#include "earlybert/runtime/matmul.h"
#include "model/init.h"

namespace earlybert {

std::vector<std::pair<std::string, std::string>> tied_parameter_aliases() {
  return {{"cls.predictions.decoder.weight", "bert.embeddings.word_embeddings.weight"},
          {"cls.predictions.decoder.bias", "cls.predictions.bias"}};
}

BertPredictionHeadTransformImpl::BertPredictionHeadTransformImpl(BertConfig config_) : config(std::move(config_)) {
  reset();
}

void BertPredictionHeadTransformImpl::reset() {
  act_ = parse_activation(config.hidden_act);
  dense = register_module("dense", torch::nn::Linear(config.hidden_size, config.hidden_size));
  LayerNorm = register_module(
      "LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.hidden_size}).eps(config.layer_norm_eps)));
  detail::init_linear(dense, config.initializer_range);
  detail::init_layer_norm(LayerNorm);
}

torch::Tensor BertPredictionHeadTransformImpl::forward(const torch::Tensor& hidden) {
  return detail::layer_norm(LayerNorm, apply_activation(earlybert::linear(hidden, dense->weight, dense->bias), act_));
}

BertLMPredictionHeadImpl::BertLMPredictionHeadImpl(BertConfig config_) : config(std::move(config_)) { reset(); }

void BertLMPredictionHeadImpl::reset() {
  transform = register_module("transform", BertPredictionHeadTransform(config));
  bias = register_parameter("bias", torch::zeros({config.vocab_size}));
}

torch::Tensor BertLMPredictionHeadImpl::forward(const torch::Tensor& hidden, const torch::Tensor& decoder_weight) {
  // Logits in the weights' dtype (fp32 under autocast too): the loss and the evaluation read them.
  return earlybert::linear(transform->forward(hidden), decoder_weight, bias, decoder_weight.scalar_type());
}

BertOnlyMLMHeadImpl::BertOnlyMLMHeadImpl(BertConfig config_) : config(std::move(config_)) { reset(); }

void BertOnlyMLMHeadImpl::reset() { predictions = register_module("predictions", BertLMPredictionHead(config)); }

BertPreTrainingHeadsImpl::BertPreTrainingHeadsImpl(BertConfig config_) : config(std::move(config_)) { reset(); }

void BertPreTrainingHeadsImpl::reset() {
  predictions = register_module("predictions", BertLMPredictionHead(config));
  seq_relationship = register_module("seq_relationship", torch::nn::Linear(config.hidden_size, 2));
  detail::init_linear(seq_relationship, config.initializer_range);
}

MaskedLMScores masked_lm_scores(BertLMPredictionHead& predictions, const torch::Tensor& sequence_output,
                                const torch::Tensor& labels, const torch::Tensor& decoder_weight) {
  MaskedLMScores out;
  const auto flat_labels = labels.reshape({-1});
  out.masked_positions = flat_labels.ne(-100).nonzero().squeeze(1);
  const auto rows = sequence_output.reshape({-1, sequence_output.size(-1)}).index_select(0, out.masked_positions);
  out.logits = predictions->forward(rows, decoder_weight);
  if (out.masked_positions.numel() == 0) {
    // Mean over nothing would be NaN; a zero that keeps the graph connected is what the trainer wants.
    out.loss = out.logits.sum();
  } else {
    out.loss = at::cross_entropy_loss(out.logits, flat_labels.index_select(0, out.masked_positions));
  }
  return out;
}

}  // namespace earlybert
