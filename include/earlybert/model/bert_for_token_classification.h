// BertForTokenClassification — one label per token (named-entity recognition, CoNLL-style tagging).
//
// Hugging Face's model, with its names: bert.… (no pooler: Hugging Face builds this model with
// add_pooling_layer=False), dropout, classifier.{weight,bias} [num_labels,hidden]. The dropout is
// classifier_dropout when set, else hidden_dropout_prob.
//
// Labels are [B,S] int64 class ids with -100 on the positions that carry no label: special tokens,
// padding, and the continuation sub-tokens of a word (data/token_labels.h builds them). The loss is
// the mean cross-entropy over the labelled positions, Hugging Face's CrossEntropyLoss() with its
// default ignore_index=-100 (a batch with no labelled position has a NaN loss there; here it is 0, so
// that one such batch does not poison training).
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "earlybert/model/batch.h"
#include "earlybert/model/bert_model.h"

namespace earlybert {

struct TokenClassifierOutput {
  torch::Tensor loss;    ///< undefined without batch.labels
  torch::Tensor logits;  ///< [B,S,num_labels]
};

class BertForTokenClassificationImpl : public torch::nn::Cloneable<BertForTokenClassificationImpl> {
 public:
  explicit BertForTokenClassificationImpl(BertConfig config);
  void reset() override;

  TokenClassifierOutput forward(const Batch& batch);

  const BertConfig& config() const { return bert->config(); }

  BertModel bert{nullptr};
  torch::nn::Linear classifier{nullptr};

 private:
  BertConfig init_config_;
};
TORCH_MODULE(BertForTokenClassification);

}  // namespace earlybert
