// BertForSequenceClassification — pooled [CLS] -> dropout -> classifier (GLUE).
//
// Parameters: bert.… (with pooler), classifier.{weight,bias} [num_labels,hidden]. The loss follows
// Hugging Face's problem_type: "regression" (default when num_labels == 1): MSE between logits and
// float labels; "single_label_classification" (default for integer labels): cross-entropy;
// "multi_label_classification" (default for float labels with num_labels > 1): BCE with logits.
// The classifier dropout is classifier_dropout when set, else hidden_dropout_prob.
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "earlybert/model/batch.h"
#include "earlybert/model/bert_model.h"

namespace earlybert {

struct SequenceClassifierOutput {
  torch::Tensor loss;    ///< undefined without batch.labels
  torch::Tensor logits;  ///< [B,num_labels]
};

class BertForSequenceClassificationImpl : public torch::nn::Cloneable<BertForSequenceClassificationImpl> {
 public:
  explicit BertForSequenceClassificationImpl(BertConfig config);
  void reset() override;

  SequenceClassifierOutput forward(const Batch& batch);

  const BertConfig& config() const { return bert->config(); }

  BertModel bert{nullptr};
  torch::nn::Linear classifier{nullptr};

 private:
  BertConfig init_config_;
};
TORCH_MODULE(BertForSequenceClassification);

}  // namespace earlybert
