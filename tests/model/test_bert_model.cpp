// The BERT modules and the four model kinds: Hugging Face parameter names, initialisation, the tied
// decoder, losses, masked-LM at masked positions only, attention masking, and cloning.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "earlybert/model/any_bert_model.h"
#include "earlybert/model/slimming.h"
#include "model/attention_core.h"
#include "model/tiny_model.h"

namespace earlybert {
namespace {

using test::max_abs_diff;
using test::sorted_names;
using test::tiny_batch;
using test::tiny_config;

// Hugging Face's BertModel state-dict keys (no position_ids buffer), plus our coefficients.
std::vector<std::string> bert_keys(const std::string& p, int64_t layers, bool pooler, bool slimming) {
  std::vector<std::string> k = {p + "embeddings.word_embeddings.weight", p + "embeddings.position_embeddings.weight",
                                p + "embeddings.token_type_embeddings.weight", p + "embeddings.LayerNorm.weight",
                                p + "embeddings.LayerNorm.bias"};
  for (int64_t i = 0; i < layers; ++i) {
    const std::string l = p + "encoder.layer." + std::to_string(i) + ".";
    for (const char* s :
         {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
          "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"}) {
      k.push_back(l + s + ".weight");
      k.push_back(l + s + ".bias");
    }
    if (slimming) {
      k.push_back(l + "attention.self.slimming_coef");
      k.push_back(l + "slimming_coef");
    }
  }
  if (pooler) {
    k.push_back(p + "pooler.dense.weight");
    k.push_back(p + "pooler.dense.bias");
  }
  return k;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

const std::vector<std::string> kMlmHead = {
    "cls.predictions.bias", "cls.predictions.transform.dense.weight", "cls.predictions.transform.dense.bias",
    "cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.LayerNorm.bias"};

class BertModelTest : public ::testing::Test {
 protected:
  void SetUp() override { torch::manual_seed(0); }
};

TEST_F(BertModelTest, ParameterNamesAreHuggingFaceKeys) {
  const auto c = tiny_config();
  EXPECT_EQ(sorted_names(*BertModel(c)), sorted(bert_keys("", 2, true, true)));
  EXPECT_EQ(sorted_names(*BertModel(c, false)), sorted(bert_keys("", 2, false, true)));

  auto pre = bert_keys("bert.", 2, true, true);
  pre.insert(pre.end(), kMlmHead.begin(), kMlmHead.end());
  pre.push_back("cls.seq_relationship.weight");
  pre.push_back("cls.seq_relationship.bias");
  EXPECT_EQ(sorted_names(*BertForPreTraining(c)), sorted(pre));

  auto mlm = bert_keys("bert.", 2, false, true);
  mlm.insert(mlm.end(), kMlmHead.begin(), kMlmHead.end());
  EXPECT_EQ(sorted_names(*BertForMaskedLM(c)), sorted(mlm));

  auto cls = bert_keys("bert.", 2, true, true);
  cls.push_back("classifier.weight");
  cls.push_back("classifier.bias");
  EXPECT_EQ(sorted_names(*BertForSequenceClassification(c)), sorted(cls));

  auto qa = bert_keys("bert.", 2, false, true);
  qa.push_back("qa_outputs.weight");
  qa.push_back("qa_outputs.bias");
  EXPECT_EQ(sorted_names(*BertForQuestionAnswering(c)), sorted(qa));

  auto no_slim = c;
  no_slim.slimming = false;
  EXPECT_EQ(sorted_names(*BertModel(no_slim)), sorted(bert_keys("", 2, true, false)));
  EXPECT_TRUE(BertModel(no_slim)->named_buffers().is_empty());
}

TEST_F(BertModelTest, ShapesFollowThePerLayerConfig) {
  auto c = tiny_config();
  c.heads_per_layer = {3, 1};
  c.intermediate_sizes = {5, 12};
  BertModel m(c);
  const auto p = m->named_parameters();
  EXPECT_EQ(p["encoder.layer.0.attention.self.query.weight"].sizes(), (std::vector<int64_t>{12, 16}));
  EXPECT_EQ(p["encoder.layer.1.attention.output.dense.weight"].sizes(), (std::vector<int64_t>{16, 4}));
  EXPECT_EQ(p["encoder.layer.1.attention.self.slimming_coef"].sizes(), (std::vector<int64_t>{1}));
  EXPECT_EQ(p["encoder.layer.0.intermediate.dense.weight"].sizes(), (std::vector<int64_t>{5, 16}));
  EXPECT_EQ(p["encoder.layer.0.output.dense.weight"].sizes(), (std::vector<int64_t>{16, 5}));
  EXPECT_EQ(p["encoder.layer.0.slimming_coef"].sizes(), (std::vector<int64_t>{5}));
}

TEST_F(BertModelTest, InitialisationFollowsHuggingFace) {
  auto c = tiny_config();
  c.pad_token_id = 3;
  BertForPreTraining m(c);
  for (const auto& p : m->named_parameters()) {
    const auto& name = p.key();
    const auto& t = p.value();
    if (name.find("slimming_coef") != std::string::npos) {
      EXPECT_EQ(t.scalar_type(), torch::kFloat32);
      EXPECT_TRUE(torch::equal(t, torch::ones_like(t))) << name;
    } else if (name.find("LayerNorm.weight") != std::string::npos) {
      EXPECT_TRUE(torch::equal(t, torch::ones_like(t))) << name;
    } else if (name.size() > 5 && name.substr(name.size() - 5) == ".bias") {
      EXPECT_TRUE(torch::equal(t, torch::zeros_like(t))) << name;
    } else {
      EXPECT_NEAR(t.std().item<double>(), c.initializer_range, 0.01) << name;
    }
  }
  const auto& word = m->bert->embeddings->word_embeddings->weight;
  EXPECT_TRUE(torch::equal(word[3], torch::zeros({c.hidden_size})));
}

TEST_F(BertModelTest, DecoderIsTiedToWordEmbeddings) {
  const auto c = tiny_config();
  for (auto kind : {ModelKind::PreTraining, ModelKind::MaskedLM}) {
    auto any = AnyBertModel::create(kind, c);
    const auto& word = any.bert()->embeddings->word_embeddings->weight;
    const auto& decoder = kind == ModelKind::PreTraining ? any.get<BertForPreTraining>()->decoder_weight()
                                                         : any.get<BertForMaskedLM>()->decoder_weight();
    EXPECT_TRUE(decoder.is_same(word));
    // The vocabulary logits really use that matrix: changing it changes them exactly as expected.
    auto batch = tiny_batch(c);
    batch.labels = torch::Tensor();
    any.module()->eval();
    if (kind == ModelKind::MaskedLM) {
      auto& mlm = any.get<BertForMaskedLM>();
      const auto body = mlm->bert->forward(batch).sequence_output;
      const auto expected =
          at::linear(mlm->cls->predictions->transform->forward(body), word, mlm->cls->predictions->bias);
      EXPECT_LE(max_abs_diff(mlm->forward(batch).logits, expected), 1e-6);
    }
    // Gradient of the MLM loss reaches the embedding rows of the predicted tokens through the decoder.
    any.module()->train();
    auto b2 = tiny_batch(c);
    any.module()->zero_grad();
    any.loss(b2).backward();
    EXPECT_TRUE(word.grad().defined());
    EXPECT_GT(word.grad().abs().sum().item<double>(), 0.0);
  }
  EXPECT_EQ(tied_parameter_aliases().at(0).first, "cls.predictions.decoder.weight");
  EXPECT_EQ(tied_parameter_aliases().at(0).second, "bert.embeddings.word_embeddings.weight");
}

TEST_F(BertModelTest, MaskedLmLogitsAtMaskedPositionsEqualFullLogitsGathered) {
  const auto c = tiny_config();
  for (auto kind : {ModelKind::PreTraining, ModelKind::MaskedLM}) {
    auto any = AnyBertModel::create(kind, c);
    any.module()->eval();
    auto batch = tiny_batch(c, 4, 9);
    auto unlabeled = batch;
    unlabeled.labels = torch::Tensor();
    torch::Tensor masked, positions, full;
    if (kind == ModelKind::PreTraining) {
      auto& m = any.get<BertForPreTraining>();
      auto out = m->forward(batch);
      masked = out.prediction_logits;
      positions = out.masked_positions;
      full = m->forward(unlabeled).prediction_logits;
      EXPECT_FALSE(m->forward(unlabeled).masked_positions.defined());
    } else {
      auto& m = any.get<BertForMaskedLM>();
      auto out = m->forward(batch);
      masked = out.logits;
      positions = out.masked_positions;
      full = m->forward(unlabeled).logits;
    }
    const auto flat_labels = batch.labels.reshape({-1});
    const auto expected_positions = flat_labels.ne(-100).nonzero().squeeze(1);
    ASSERT_TRUE(torch::equal(positions, expected_positions));
    ASSERT_EQ(full.sizes(), (std::vector<int64_t>{4, 9, c.vocab_size}));
    ASSERT_EQ(masked.size(0), expected_positions.numel());
    const auto gathered = full.reshape({-1, c.vocab_size}).index_select(0, positions);
    EXPECT_LE(max_abs_diff(masked, gathered), 1e-5);
    // The loss is the cross-entropy of the full logits over the labelled positions.
    const auto expected_loss = at::cross_entropy_loss(full.reshape({-1, c.vocab_size}), flat_labels);
    torch::Tensor loss = kind == ModelKind::PreTraining ? any.get<BertForPreTraining>()->forward(batch).mlm_loss
                                                        : any.get<BertForMaskedLM>()->forward(batch).loss;
    EXPECT_NEAR(loss.item<double>(), expected_loss.item<double>(), 1e-5);
  }
}

TEST_F(BertModelTest, MaskedLmWithNothingMaskedHasZeroLoss) {
  const auto c = tiny_config();
  BertForMaskedLM m(c);
  auto batch = tiny_batch(c);
  batch.labels.fill_(-100);
  const auto out = m->forward(batch);
  EXPECT_EQ(out.logits.size(0), 0);
  EXPECT_EQ(out.loss.item<double>(), 0.0);
  EXPECT_NO_THROW(out.loss.backward());
}

TEST_F(BertModelTest, PreTrainingLossIsMlmPlusNsp) {
  const auto c = tiny_config();
  BertForPreTraining m(c);
  m->eval();
  const auto batch = tiny_batch(c);
  const auto out = m->forward(batch);
  const auto nsp = at::cross_entropy_loss(out.seq_relationship_logits, batch.next_sentence_label);
  EXPECT_NEAR(out.nsp_loss.item<double>(), nsp.item<double>(), 1e-6);
  EXPECT_NEAR(out.loss.item<double>(), out.mlm_loss.item<double>() + nsp.item<double>(), 1e-5);
  EXPECT_EQ(out.seq_relationship_logits.sizes(), (std::vector<int64_t>{3, 2}));
}

TEST_F(BertModelTest, RegressionWithOneLabelIsMse) {
  auto c = tiny_config();
  c.num_labels = 1;
  BertForSequenceClassification m(c);
  m->eval();
  auto batch = tiny_batch(c);
  batch.labels = torch::tensor({0.5f, -1.0f, 2.0f});
  const auto out = m->forward(batch);
  ASSERT_EQ(out.logits.sizes(), (std::vector<int64_t>{3, 1}));
  const auto expected = (out.logits.reshape({-1}) - batch.labels).pow(2).mean();
  EXPECT_NEAR(out.loss.item<double>(), expected.item<double>(), 1e-6);
}

TEST_F(BertModelTest, ClassificationLosses) {
  auto c = tiny_config();
  BertForSequenceClassification m(c);
  m->eval();
  auto batch = tiny_batch(c);
  batch.labels = torch::tensor({2, 0, 1}, torch::kLong);
  auto out = m->forward(batch);
  EXPECT_NEAR(out.loss.item<double>(), at::cross_entropy_loss(out.logits, batch.labels).item<double>(), 1e-6);
  batch.labels = torch::tensor({{1.f, 0.f, 1.f}, {0.f, 0.f, 0.f}, {0.f, 1.f, 0.f}});
  out = m->forward(batch);
  const auto bce = at::binary_cross_entropy_with_logits(out.logits, batch.labels);
  EXPECT_NEAR(out.loss.item<double>(), bce.item<double>(), 1e-6);
  batch.labels = torch::Tensor();
  EXPECT_FALSE(m->forward(batch).loss.defined());
  batch.labels = torch::zeros({3, 7}, torch::kLong);  // masked-LM shaped labels
  test::expect_error([&] { m->forward(batch); }, {"labels", "[3, 7]"});
}

TEST_F(BertModelTest, QuestionAnsweringLossClampsAndIgnoresOutOfWindowAnswers) {
  const auto c = tiny_config();
  BertForQuestionAnswering m(c);
  m->eval();
  auto batch = tiny_batch(c, 3, 7);
  batch.start_positions = torch::tensor({1, 50, 3}, torch::kLong);  // 50: beyond the window -> ignored
  batch.end_positions = torch::tensor({2, 60, -4}, torch::kLong);   // -4 clamps to 0
  const auto out = m->forward(batch);
  ASSERT_EQ(out.start_logits.sizes(), (std::vector<int64_t>{3, 7}));
  const auto keep = torch::tensor({0, 2}, torch::kLong);
  const auto start =
      at::cross_entropy_loss(out.start_logits.index_select(0, keep), torch::tensor({1, 3}, torch::kLong));
  const auto end = at::cross_entropy_loss(out.end_logits.index_select(0, keep), torch::tensor({2, 0}, torch::kLong));
  EXPECT_NEAR(out.loss.item<double>(), ((start + end) / 2).item<double>(), 1e-6);
}

TEST_F(BertModelTest, PaddedPositionsDoNotInfluenceRealTokens) {
  const auto c = tiny_config();
  BertModel m(c);
  m->eval();
  auto batch = tiny_batch(c, 2, 6);
  batch.attention_mask = torch::tensor({{1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1}}, torch::kLong);
  const auto a = m->forward(batch).sequence_output;
  batch.input_ids[0][4] = 5;
  batch.input_ids[0][5] = 9;
  const auto b = m->forward(batch).sequence_output;
  EXPECT_LE(max_abs_diff(a[0].narrow(0, 0, 4), b[0].narrow(0, 0, 4)), 1e-6);
  EXPECT_GT(max_abs_diff(a[0].narrow(0, 4, 2), b[0].narrow(0, 4, 2)), 1e-3);
}

TEST_F(BertModelTest, FastAttentionMatchesReference) {
  torch::manual_seed(3);
  const int64_t B = 2, S = 5, H = 3, d = 4;
  const auto q = torch::randn({B, S, H * d}), k = torch::randn({B, S, H * d}), v = torch::randn({B, S, H * d});
  const auto mask = additive_attention_mask(torch::tensor({{1, 1, 1, 0, 0}, {1, 1, 1, 1, 1}}), torch::kFloat32);
  for (const auto& m : {mask, torch::Tensor()}) {
    const auto fast = detail::attention_context(q, k, v, m, H, d, 0.1, /*training=*/false);
    const auto ref = detail::attention_context_reference(q, k, v, m, H, d, 0.1, false);
    EXPECT_LE(max_abs_diff(fast, ref), 1e-5);
  }
}

TEST_F(BertModelTest, FastAttentionMatchesReferenceOnCuda) {
  // LibTorch 2.x takes the fused scaled_dot_product_attention kernels here; 1.x the batched GEMMs.
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::manual_seed(3);
  const int64_t B = 2, S = 7, H = 4, d = 16;
  const auto opts = torch::TensorOptions().device(torch::kCUDA);
  const auto q = torch::randn({B, S, H * d}, opts), k = torch::randn({B, S, H * d}, opts),
             v = torch::randn({B, S, H * d}, opts);
  const auto mask =
      additive_attention_mask(torch::tensor({{1, 1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1, 1}}), torch::kFloat32).to(opts);
  for (const auto& m : {mask, torch::Tensor()}) {
    const auto fast = detail::attention_context(q, k, v, m, H, d, 0.1, /*training=*/false);
    const auto ref = detail::attention_context_reference(q, k, v, m, H, d, 0.1, false);
    EXPECT_TRUE(fast.is_cuda());
    EXPECT_LE(max_abs_diff(fast.cpu(), ref.cpu()), 1e-4);  // TF32 may be on for matmuls
  }
}

TEST_F(BertModelTest, HeadCoefficientScalesThatHeadsContext) {
  // Attention output with coefficient c_h equals dense(context with head h multiplied by c_h).
  const auto c = tiny_config();
  BertAttention att(BertLayerOptions::for_layer(c, 0));
  att->eval();
  torch::NoGradGuard ng;
  att->self->slimming_coef.copy_(torch::tensor({0.5f, 0.f, 2.f, -1.f}));
  const auto x = torch::randn({2, 5, c.hidden_size});
  const auto ctx = att->self->forward(x);
  const auto scaled =
      (ctx.view({2, 5, 4, 4}) * torch::tensor({0.5f, 0.f, 2.f, -1.f}).view({1, 1, 4, 1})).view({2, 5, 16});
  const auto expected = att->output->forward(scaled, x);
  EXPECT_LE(max_abs_diff(att->forward(x), expected), 1e-5);
}

TEST_F(BertModelTest, FfnCoefficientScalesTheActivation) {
  const auto c = tiny_config();
  BertLayer layer(BertLayerOptions::for_layer(c, 0));
  layer->eval();
  torch::NoGradGuard ng;
  const auto coef = torch::rand({c.intermediate_size}) * 2 - 1;
  layer->slimming_coef.copy_(coef);
  const auto x = torch::randn({2, 5, c.hidden_size});
  const auto attended = layer->attention->forward(x);
  const auto expected = layer->output->forward(layer->intermediate->forward(attended) * coef, attended);
  EXPECT_LE(max_abs_diff(layer->forward(x), expected), 1e-5);
}

TEST_F(BertModelTest, SlimmingCoefficientsAreTheParameters) {
  const auto c = tiny_config();
  BertForSequenceClassification m(c);
  const auto coefs = slimming_coefficients(m->bert);
  ASSERT_EQ(coefs.size(), 2u);
  const auto params = m->named_parameters();
  EXPECT_TRUE(coefs[1].heads.is_same(params["bert.encoder.layer.1.attention.self.slimming_coef"]));
  EXPECT_TRUE(coefs[0].ffn.is_same(params["bert.encoder.layer.0.slimming_coef"]));
  {
    torch::NoGradGuard ng;
    coefs[0].heads.copy_(torch::tensor({-0.5f, 0.25f, 1.f, 2.f}));
  }
  const auto scores = slimming_scores(coefs);
  EXPECT_EQ(scores.heads[0], (std::vector<float>{0.5f, 0.25f, 1.f, 2.f}));
  EXPECT_EQ(scores.ffn[1].size(), 12u);
  auto off = c;
  off.slimming = false;
  BertModel plain(off);
  EXPECT_FALSE(slimming_coefficients(plain)[0].heads.defined());
  test::expect_error([&] { slimming_scores(slimming_coefficients(plain)); }, {"slimming"});
}

TEST_F(BertModelTest, CloneIsDeepAndEqual) {
  const auto c = tiny_config();
  for (auto kind : {ModelKind::PreTraining, ModelKind::MaskedLM, ModelKind::SequenceClassification,
                    ModelKind::QuestionAnswering, ModelKind::TokenClassification}) {
    auto a = AnyBertModel::create(kind, c);
    a.module()->eval();
    auto b = a.clone();
    EXPECT_EQ(b.kind(), kind);
    b.module()->eval();
    const auto batch = test::tiny_batch_for(kind, c);
    EXPECT_NEAR(a.loss(batch).item<double>(), b.loss(batch).item<double>(), 1e-6);
    const auto pa = a.module()->named_parameters(), pb = b.module()->named_parameters();
    ASSERT_EQ(pa.size(), pb.size());
    for (const auto& p : pa) EXPECT_FALSE(p.value().is_same(pb[p.key()])) << p.key();
  }
}

TEST_F(BertModelTest, AnyModelNeedsTheKindsLabels) {
  const auto c = tiny_config();
  auto batch = tiny_batch(c);
  batch.start_positions = torch::Tensor();
  auto qa = AnyBertModel::create(ModelKind::QuestionAnswering, c);
  test::expect_error([&] { qa.loss(batch); }, {"start_positions"});
  EXPECT_EQ(model_kind_from_architecture("BertForMaskedLM"), ModelKind::MaskedLM);
  EXPECT_EQ(model_kind_from_architecture("BertForTokenClassification"), ModelKind::TokenClassification);
  test::expect_error([] { model_kind_from_architecture("BertForMultipleChoice", "config.json"); },
                     {"config.json", "BertForMultipleChoice", "BertForTokenClassification"});
}

TEST_F(BertModelTest, TooLongSequenceIsAnError) {
  const auto c = tiny_config();
  BertModel m(c);
  const auto ids = torch::ones({1, c.max_position_embeddings + 1}, torch::kLong);
  test::expect_error([&] { m->forward(ids); }, {"max_position_embeddings"});
}

TEST_F(BertModelTest, BatchToKeepsUndefinedFields) {
  const auto c = tiny_config();
  auto batch = tiny_batch(c);
  batch.token_type_ids = torch::Tensor();
  const auto moved = batch.to(torch::kCPU);
  EXPECT_FALSE(moved.token_type_ids.defined());
  EXPECT_TRUE(torch::equal(moved.input_ids, batch.input_ids));
  EXPECT_EQ(moved.batch_size(), 3);
  EXPECT_EQ(moved.seq_len(), 7);
}

TEST_F(BertModelTest, DefaultTokenTypesAreSegmentZero) {
  const auto c = tiny_config();
  BertModel m(c);
  m->eval();
  auto batch = tiny_batch(c);
  batch.token_type_ids.zero_();
  const auto a = m->forward(batch).sequence_output;
  batch.token_type_ids = torch::Tensor();
  EXPECT_LE(max_abs_diff(a, m->forward(batch).sequence_output), 1e-6);
}

}  // namespace
}  // namespace earlybert
