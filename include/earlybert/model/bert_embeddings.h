// BertEmbeddings — word + position + token-type embeddings, LayerNorm, dropout.
//
// Registered names are Hugging Face's: embeddings.word_embeddings.weight,
// embeddings.position_embeddings.weight, embeddings.token_type_embeddings.weight,
// embeddings.LayerNorm.{weight,bias}. Hugging Face also keeps a `position_ids` buffer; here positions
// are computed per forward (arange), so no such state-dict entry exists and loaders ignore it.
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "earlybert/model/bert_config.h"

namespace earlybert {

class BertEmbeddingsImpl : public torch::nn::Cloneable<BertEmbeddingsImpl> {
 public:
  explicit BertEmbeddingsImpl(BertConfig config);
  void reset() override;

  /// input_ids [B,S] -> [B,S,hidden]. token_type_ids may be undefined (all zero). A sequence longer
  /// than max_position_embeddings is an Error.
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids = {});

  BertConfig config;
  torch::nn::Embedding word_embeddings{nullptr};
  torch::nn::Embedding position_embeddings{nullptr};
  torch::nn::Embedding token_type_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
};
TORCH_MODULE(BertEmbeddings);

}  // namespace earlybert
