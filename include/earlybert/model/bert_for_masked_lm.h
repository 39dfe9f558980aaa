// BertForMaskedLM — masked language modelling only (no pooler, no NSP), as in Hugging Face.
//
// Parameters: bert.… (no pooler), cls.predictions.transform.…, cls.predictions.bias. The decoder is
// tied to bert.embeddings.word_embeddings.weight.
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include "earlybert/model/batch.h"
#include "earlybert/model/bert_heads.h"
#include "earlybert/model/bert_model.h"

namespace earlybert {

struct MaskedLMOutput {
  torch::Tensor loss;              ///< mean cross-entropy over masked positions; undefined w/o labels
  torch::Tensor logits;            ///< [M,vocab] at the masked positions when labels are given,
                                   ///< else [B,S,vocab] at every position
  torch::Tensor masked_positions;  ///< [M] flat indices into B*S (with labels), else undefined
};

class BertForMaskedLMImpl : public torch::nn::Cloneable<BertForMaskedLMImpl> {
 public:
  explicit BertForMaskedLMImpl(BertConfig config);
  void reset() override;

  MaskedLMOutput forward(const Batch& batch);

  const BertConfig& config() const { return bert->config(); }
  const torch::Tensor& decoder_weight() const { return bert->embeddings->word_embeddings->weight; }

  BertModel bert{nullptr};
  BertOnlyMLMHead cls{nullptr};

 private:
  BertConfig init_config_;
};
TORCH_MODULE(BertForMaskedLM);

}  // namespace earlybert
