// Test helpers shared by tests/model and tests/prune: tiny configs, deterministic batches, and error
// assertions.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "earlybert/base/error.h"
#include "earlybert/model/any_bert_model.h"
#include "earlybert/model/batch.h"
#include "earlybert/model/bert_config.h"
#include "expect_error.h"

namespace earlybert::test {

/// 2 layers, hidden 16, 4 heads of width 4, FFN 12, vocab 40: big enough for every code path.
inline BertConfig tiny_config() {
  BertConfig c;
  c.vocab_size = 40;
  c.hidden_size = 16;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.intermediate_size = 12;
  c.max_position_embeddings = 32;
  c.type_vocab_size = 2;
  c.num_labels = 3;
  return c;
}

/// A batch of `b` sequences of length `s` with padding at the end of every other row, token types,
/// masked-LM labels (about a third of the real tokens), NSP labels, class labels and answer spans.
inline Batch tiny_batch(const BertConfig& c, int64_t b = 3, int64_t s = 7, uint64_t seed = 7) {
  torch::manual_seed(seed);
  Batch batch;
  batch.input_ids = torch::randint(1, c.vocab_size, {b, s}, torch::kLong);
  batch.token_type_ids = torch::zeros({b, s}, torch::kLong);
  batch.token_type_ids.narrow(1, s / 2, s - s / 2).fill_(1);
  batch.attention_mask = torch::ones({b, s}, torch::kLong);
  for (int64_t i = 1; i < b; i += 2) batch.attention_mask[i].narrow(0, s - 2, 2).zero_();
  batch.labels = torch::full({b, s}, -100, torch::kLong);
  for (int64_t i = 0; i < b; ++i) {
    for (int64_t j = 1; j < s - 2; j += 3) batch.labels[i][j] = batch.input_ids[i][j];
  }
  batch.next_sentence_label = torch::randint(0, 2, {b}, torch::kLong);
  batch.start_positions = torch::randint(0, s, {b}, torch::kLong);
  batch.end_positions = torch::randint(0, s, {b}, torch::kLong);
  return batch;
}

/// tiny_batch() with the labels `kind` expects: class ids [B] for sequence classification (among
/// the config's num_labels), class ids [B,S] with -100 on the first and padded positions for token
/// classification, masked-LM labels otherwise.
inline Batch tiny_batch_for(ModelKind kind, const BertConfig& c, int64_t b = 3, int64_t s = 7, uint64_t seed = 7) {
  Batch batch = tiny_batch(c, b, s, seed);
  if (kind == ModelKind::SequenceClassification) {
    batch.labels = torch::arange(b, torch::kLong).remainder(c.num_labels);
  } else if (kind == ModelKind::TokenClassification) {
    batch.labels = batch.input_ids.remainder(c.num_labels).masked_fill(batch.attention_mask.eq(0), -100);
    batch.labels.select(1, 0).fill_(-100);
  }
  return batch;
}

inline double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  if (a.sizes() != b.sizes()) return 1e30;
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

/// Names of `module`'s parameters, sorted.
inline std::vector<std::string> sorted_names(const torch::nn::Module& module) {
  std::vector<std::string> names;
  for (const auto& p : module.named_parameters()) names.push_back(p.key());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace earlybert::test
