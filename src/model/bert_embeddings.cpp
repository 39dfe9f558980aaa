// BertEmbeddings: word + position + token type, LayerNorm, dropout.
#include "earlybert/model/bert_embeddings.h"

#include "earlybert/base/error.h"
#include "model/init.h"

namespace earlybert {

BertEmbeddingsImpl::BertEmbeddingsImpl(BertConfig config_) : config(std::move(config_)) { reset(); }

void BertEmbeddingsImpl::reset() {
  const auto& c = config;
  word_embeddings = register_module(
      "word_embeddings",
      torch::nn::Embedding(torch::nn::EmbeddingOptions(c.vocab_size, c.hidden_size).padding_idx(c.pad_token_id)));
  position_embeddings =
      register_module("position_embeddings",
                      torch::nn::Embedding(torch::nn::EmbeddingOptions(c.max_position_embeddings, c.hidden_size)));
  token_type_embeddings = register_module(
      "token_type_embeddings", torch::nn::Embedding(torch::nn::EmbeddingOptions(c.type_vocab_size, c.hidden_size)));
  LayerNorm = register_module("LayerNorm",
                              torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
  detail::init_embedding(word_embeddings, c.initializer_range, c.pad_token_id);
  detail::init_embedding(position_embeddings, c.initializer_range);
  detail::init_embedding(token_type_embeddings, c.initializer_range);
  detail::init_layer_norm(LayerNorm);
}

torch::Tensor BertEmbeddingsImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids) {
  const int64_t seq_len = input_ids.size(1);
  if (seq_len > config.max_position_embeddings) {
    fail("input_ids", "sequence length " + std::to_string(seq_len) + " exceeds max_position_embeddings " +
                          std::to_string(config.max_position_embeddings));
  }
  // Positions 0..S-1 are the first S rows of the table: a slice, no index tensor needed.
  auto x = at::embedding(word_embeddings->weight, input_ids, config.pad_token_id);
  x = x + position_embeddings->weight.narrow(0, 0, seq_len);
  if (token_type_ids.defined()) {
    x = x + at::embedding(token_type_embeddings->weight, token_type_ids);
  } else {
    x = x + token_type_embeddings->weight[0];  // Hugging Face's default: all segment 0
  }
  x = detail::layer_norm(LayerNorm, x);
  return detail::maybe_dropout(x, config.hidden_dropout_prob, is_training());
}

}  // namespace earlybert
