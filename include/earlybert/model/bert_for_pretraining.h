// BertForPreTraining — masked LM + next-sentence prediction (BERT's pre-training objective).
//
// Parameters: bert.… (with pooler), cls.predictions.transform.{dense,LayerNorm}.…,
// cls.predictions.bias, cls.seq_relationship.{weight,bias}. The decoder is tied to
// bert.embeddings.word_embeddings.weight (no separate parameter; decoder_weight() returns it).
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include "earlybert/model/batch.h"
#include "earlybert/model/bert_heads.h"
#include "earlybert/model/bert_model.h"

namespace earlybert {

struct PreTrainingOutput {
  torch::Tensor loss;                     ///< mlm_loss + nsp_loss (those defined); undefined if neither
  torch::Tensor mlm_loss;                 ///< undefined without batch.labels
  torch::Tensor nsp_loss;                 ///< undefined without batch.next_sentence_label
  torch::Tensor prediction_logits;        ///< [M,vocab] at masked positions with labels, else [B,S,vocab]
  torch::Tensor masked_positions;         ///< [M] flat indices into B*S (with labels), else undefined
  torch::Tensor seq_relationship_logits;  ///< [B,2]
};

class BertForPreTrainingImpl : public torch::nn::Cloneable<BertForPreTrainingImpl> {
 public:
  explicit BertForPreTrainingImpl(BertConfig config);
  void reset() override;

  /// With batch.labels the vocabulary projection runs only at the masked positions (see
  /// masked_lm_scores); without, it runs everywhere.
  PreTrainingOutput forward(const Batch& batch);

  const BertConfig& config() const { return bert->config(); }
  const torch::Tensor& decoder_weight() const { return bert->embeddings->word_embeddings->weight; }

  BertModel bert{nullptr};
  BertPreTrainingHeads cls{nullptr};

 private:
  BertConfig init_config_;  // what reset() builds from; config() is bert's (it follows pruning)
};
TORCH_MODULE(BertForPreTraining);

}  // namespace earlybert
