// BertForSequenceClassification: pooled output -> dropout -> classifier; HF's problem types.
#include "earlybert/model/bert_for_sequence_classification.h"

#include "earlybert/base/error.h"
#include "earlybert/runtime/matmul.h"
#include "model/init.h"

namespace earlybert {

BertForSequenceClassificationImpl::BertForSequenceClassificationImpl(BertConfig config)
    : init_config_(std::move(config)) {
  reset();
}

void BertForSequenceClassificationImpl::reset() {
  const BertConfig config = bert ? bert->config() : init_config_;
  bert = register_module("bert", BertModel(config, /*add_pooling_layer=*/true));
  classifier = register_module("classifier", torch::nn::Linear(config.hidden_size, config.num_labels));
  detail::init_linear(classifier, config.initializer_range);
}

SequenceClassifierOutput BertForSequenceClassificationImpl::forward(const Batch& batch) {
  const auto& c = config();
  SequenceClassifierOutput out;
  const auto body = bert->forward(batch);
  const double p = c.classifier_dropout ? *c.classifier_dropout : c.hidden_dropout_prob;
  const auto pooled = detail::maybe_dropout(body.pooled_output, p, is_training());
  // Logits in the weights' dtype (fp32 under autocast too): the loss and the evaluation read them.
  out.logits = earlybert::linear(pooled, classifier->weight, classifier->bias, classifier->weight.scalar_type());
  if (!batch.labels.defined()) return out;

  // Hugging Face's inference when the config does not say: one label is regression, integer labels
  // are single-label classification, float labels multi-label.
  const ProblemType problem = c.problem_type.value_or(c.num_labels == 1 ? ProblemType::Regression
                                                      : !at::isFloatingType(batch.labels.scalar_type())
                                                          ? ProblemType::SingleLabelClassification
                                                          : ProblemType::MultiLabelClassification);
  const int64_t batch_size = out.logits.size(0);
  const int64_t per_example = problem == ProblemType::MultiLabelClassification ? c.num_labels : 1;
  if (batch.labels.numel() != batch_size * per_example) {
    fail("batch", "labels has shape " + c10::str(batch.labels.sizes()) + " but " + to_string(problem) + " with " +
                      std::to_string(c.num_labels) + " labels needs " + std::to_string(per_example) +
                      " value(s) for each of the " + std::to_string(batch_size) + " examples");
  }
  if (problem == ProblemType::Regression) {
    out.loss = at::mse_loss(out.logits.reshape({-1}), batch.labels.reshape({-1}).to(out.logits.scalar_type()));
  } else if (problem == ProblemType::SingleLabelClassification) {
    out.loss = at::cross_entropy_loss(out.logits.reshape({-1, c.num_labels}), batch.labels.reshape({-1}));
  } else {
    out.loss = at::binary_cross_entropy_with_logits(out.logits, batch.labels.to(out.logits.scalar_type()));
  }
  return out;
}

}  // namespace earlybert
