// BertForTokenClassification: per-token classifier on the sequence output; loss over labels != -100.
#include "earlybert/model/bert_for_token_classification.h"

#include "earlybert/base/error.h"
#include "earlybert/runtime/matmul.h"
#include "model/init.h"

namespace earlybert {

BertForTokenClassificationImpl::BertForTokenClassificationImpl(BertConfig config) : init_config_(std::move(config)) {
  reset();
}

void BertForTokenClassificationImpl::reset() {
  const BertConfig config = bert ? bert->config() : init_config_;
  bert = register_module("bert", BertModel(config, /*add_pooling_layer=*/false));
  classifier = register_module("classifier", torch::nn::Linear(config.hidden_size, config.num_labels));
  detail::init_linear(classifier, config.initializer_range);
}

TokenClassifierOutput BertForTokenClassificationImpl::forward(const Batch& batch) {
  const auto& c = config();
  TokenClassifierOutput out;
  const auto body = bert->forward(batch);
  const double p = c.classifier_dropout ? *c.classifier_dropout : c.hidden_dropout_prob;
  const auto sequence = detail::maybe_dropout(body.sequence_output, p, is_training());
  // [B,S,num_labels], in the weights' dtype (fp32 under autocast too): the loss and the evaluation read them.
  out.logits = earlybert::linear(sequence, classifier->weight, classifier->bias, classifier->weight.scalar_type());
  if (!batch.labels.defined()) return out;

  if (batch.labels.sizes() != batch.input_ids.sizes() || at::isFloatingType(batch.labels.scalar_type())) {
    fail("batch", "token classification needs integer labels shaped like input_ids " +
                      c10::str(batch.input_ids.sizes()) + ", got " + c10::str(batch.labels.sizes()) + " " +
                      std::string(c10::toString(batch.labels.scalar_type())));
  }
  const auto flat_logits = out.logits.reshape({-1, c.num_labels});
  const auto flat_labels = batch.labels.reshape({-1});
  // Mean over the labelled positions, as cross_entropy(ignore_index=-100) computes it, written as
  // sum / max(count, 1) so that a batch without labels gives 0 and no host synchronisation is needed.
  const auto per_token = at::cross_entropy_loss(flat_logits, flat_labels, {}, at::Reduction::None, -100);
  const auto count = flat_labels.ne(-100).sum().clamp_min(1).to(per_token.scalar_type());
  out.loss = per_token.sum() / count;
  return out;
}

}  // namespace earlybert
