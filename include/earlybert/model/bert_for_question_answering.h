// BertForQuestionAnswering — span start/end logits for extractive QA (SQuAD).
//
// Parameters: bert.… (no pooler, as in Hugging Face), qa_outputs.{weight,bias} [2,hidden].
// Loss (Hugging Face's): positions are clamped to [0,S] and S is ignored (answers truncated away);
// loss = (CE(start) + CE(end)) / 2.
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "earlybert/model/batch.h"
#include "earlybert/model/bert_model.h"

namespace earlybert {

struct QuestionAnsweringOutput {
  torch::Tensor loss;          ///< undefined without start/end positions
  torch::Tensor start_logits;  ///< [B,S]
  torch::Tensor end_logits;    ///< [B,S]
};

class BertForQuestionAnsweringImpl : public torch::nn::Cloneable<BertForQuestionAnsweringImpl> {
 public:
  explicit BertForQuestionAnsweringImpl(BertConfig config);
  void reset() override;

  QuestionAnsweringOutput forward(const Batch& batch);

  const BertConfig& config() const { return bert->config(); }

  BertModel bert{nullptr};
  torch::nn::Linear qa_outputs{nullptr};

 private:
  BertConfig init_config_;
};
TORCH_MODULE(BertForQuestionAnswering);

}  // namespace earlybert
