// Tests for BertForTokenClassification: Hugging Face's parameter names (no pooler), logits per token,
// the loss against the cross-entropy written out by hand (mean of -log softmax at the labelled
// positions), a batch without labelled positions, bad labels, and its place in AnyBertModel.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "earlybert/model/any_bert_model.h"
#include "earlybert/model/bert_for_token_classification.h"
#include "model/tiny_model.h"

namespace earlybert {
namespace {

using test::expect_error;
using test::tiny_batch_for;
using test::tiny_config;

TEST(BertForTokenClassification, NamesAreHuggingFaces) {
  BertForTokenClassification model(tiny_config());
  const auto names = test::sorted_names(*model);
  EXPECT_TRUE(std::binary_search(names.begin(), names.end(), "classifier.weight"));
  EXPECT_TRUE(std::binary_search(names.begin(), names.end(), "classifier.bias"));
  EXPECT_TRUE(std::binary_search(names.begin(), names.end(), "bert.embeddings.word_embeddings.weight"));
  for (const auto& n : names) EXPECT_EQ(n.find("pooler"), std::string::npos) << n;
  EXPECT_EQ(model->classifier->weight.sizes(), (std::vector<int64_t>{3, 16}));
}

TEST(BertForTokenClassification, LossIsTheMeanCrossEntropyOverLabelledTokens) {
  torch::manual_seed(4);
  const auto c = tiny_config();
  BertForTokenClassification model(c);
  model->eval();
  const Batch batch = tiny_batch_for(ModelKind::TokenClassification, c, 3, 7);
  const auto out = model->forward(batch);
  ASSERT_EQ(out.logits.sizes(), (std::vector<int64_t>{3, 7, 3}));

  // By hand: -log softmax(logits)[label] averaged over the positions whose label is not -100.
  const auto logp = torch::log_softmax(out.logits.to(torch::kDouble), -1);
  double sum = 0.0;
  int64_t count = 0;
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t j = 0; j < 7; ++j) {
      const int64_t label = batch.labels[i][j].item<int64_t>();
      if (label == -100) continue;
      sum -= logp[i][j][label].item<double>();
      ++count;
    }
  }
  ASSERT_GT(count, 0);
  ASSERT_LT(count, 21);  // some positions are ignored
  EXPECT_NEAR(out.loss.item<double>(), sum / static_cast<double>(count), 1e-6);

  // Through AnyBertModel too.
  AnyBertModel any(model);
  EXPECT_EQ(any.kind(), ModelKind::TokenClassification);
  EXPECT_EQ(architecture_name(any.kind()), "BertForTokenClassification");
  EXPECT_NEAR(any.loss(batch).item<double>(), out.loss.item<double>(), 1e-7);
}

TEST(BertForTokenClassification, BatchWithoutLabelledTokensHasZeroLossAndGradients) {
  torch::manual_seed(5);
  const auto c = tiny_config();
  BertForTokenClassification model(c);
  Batch batch = tiny_batch_for(ModelKind::TokenClassification, c);
  batch.labels.fill_(-100);
  const auto loss = model->forward(batch).loss;
  EXPECT_EQ(loss.item<double>(), 0.0);
  loss.backward();
  EXPECT_TRUE(model->classifier->weight.grad().defined());
  EXPECT_EQ(model->classifier->weight.grad().abs().sum().item<double>(), 0.0);
}

TEST(BertForTokenClassification, LabelsMustBeIntegerIdsShapedLikeTheInput) {
  const auto c = tiny_config();
  BertForTokenClassification model(c);
  Batch batch = tiny_batch_for(ModelKind::TokenClassification, c);
  batch.labels = torch::zeros({3}, torch::kLong);
  expect_error([&] { model->forward(batch); }, {"batch", "token classification", "[3]"});
  batch.labels = torch::zeros({3, 7}, torch::kFloat);
  expect_error([&] { model->forward(batch); }, {"integer labels"});
  AnyBertModel any = AnyBertModel::create(ModelKind::TokenClassification, c);
  batch.labels = torch::Tensor();
  expect_error([&] { any.loss(batch); }, {"BertForTokenClassification needs labels"});
}

}  // namespace
}  // namespace earlybert
