// Physical pruning: the invariant for every model kind (pruned model == unpruned model with the
// pruned units' coefficients zeroed), exact surviving weights, config round trip, leaf parameters,
// the tied decoder, pruning twice, and a plan that does not fit.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "earlybert/model/any_bert_model.h"
#include "earlybert/model/slimming.h"
#include "earlybert/prune/apply_plan.h"
#include "earlybert/prune/l1_penalty.h"
#include "model/tiny_model.h"

namespace earlybert {
namespace {

using test::expect_error;
using test::max_abs_diff;
using test::tiny_batch;
using test::tiny_config;

const std::vector<ModelKind> kKinds = {ModelKind::PreTraining, ModelKind::MaskedLM, ModelKind::SequenceClassification,
                                       ModelKind::QuestionAnswering, ModelKind::TokenClassification};

PruningPlan example_plan() {
  PruningPlan p;
  p.layers.push_back({4, 12, {0, 2, 3}, {1, 4, 5, 9, 10}});
  p.layers.push_back({4, 12, {1}, {0, 2, 3, 6, 7, 8, 11}});
  return p;
}

// Random non-1 coefficients (one negative) so the invariant is not checked at a special point.
void randomise_coefficients(AnyBertModel& m) {
  torch::NoGradGuard ng;
  auto coefs = slimming_coefficients(m.bert());
  for (auto& l : coefs) {
    l.heads.uniform_(0.5, 1.5);
    l.ffn.uniform_(0.5, 1.5);
  }
  coefs[0].ffn[4] = -0.7;
}

// Sets the coefficients of the units `plan` removes to zero.
void zero_pruned_coefficients(AnyBertModel& m, const PruningPlan& plan) {
  torch::NoGradGuard ng;
  auto coefs = slimming_coefficients(m.bert());
  const auto heads = plan_head_masks(plan), neurons = plan_neuron_masks(plan);
  for (size_t l = 0; l < coefs.size(); ++l) {
    for (size_t i = 0; i < heads[l].size(); ++i) {
      if (!heads[l][i]) coefs[l].heads[static_cast<int64_t>(i)] = 0.0;
    }
    for (size_t i = 0; i < neurons[l].size(); ++i) {
      if (!neurons[l][i]) coefs[l].ffn[static_cast<int64_t>(i)] = 0.0;
    }
  }
}

// Every output tensor of the kind, in a fixed order.
std::vector<torch::Tensor> outputs(AnyBertModel& m, const Batch& batch) {
  switch (m.kind()) {
    case ModelKind::PreTraining: {
      auto o = m.get<BertForPreTraining>()->forward(batch);
      return {o.loss, o.prediction_logits, o.seq_relationship_logits};
    }
    case ModelKind::MaskedLM: {
      auto o = m.get<BertForMaskedLM>()->forward(batch);
      return {o.loss, o.logits};
    }
    case ModelKind::SequenceClassification: {
      auto o = m.get<BertForSequenceClassification>()->forward(batch);
      return {o.loss, o.logits};
    }
    case ModelKind::QuestionAnswering: {
      auto o = m.get<BertForQuestionAnswering>()->forward(batch);
      return {o.loss, o.start_logits, o.end_logits};
    }
    case ModelKind::TokenClassification: {
      auto o = m.get<BertForTokenClassification>()->forward(batch);
      return {o.loss, o.logits};
    }
  }
  return {};
}

class ApplyPlanTest : public ::testing::TestWithParam<ModelKind> {
 protected:
  void SetUp() override { torch::manual_seed(5); }
};

TEST_P(ApplyPlanTest, PrunedModelEqualsZeroedCoefficients) {
  const auto c = tiny_config();
  auto model = AnyBertModel::create(GetParam(), c);
  randomise_coefficients(model);
  const auto plan = example_plan();

  auto reference = model.clone();
  zero_pruned_coefficients(reference, plan);
  auto pruned = pruned_clone(model, plan);
  reference.module()->eval();
  pruned.module()->eval();

  const auto batch = test::tiny_batch_for(GetParam(), c, 3, 8);
  const auto want = outputs(reference, batch);
  const auto got = outputs(pruned, batch);
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_LE(max_abs_diff(got[i], want[i]), 1e-5) << "output " << i;
  // The unpruned original is untouched and differs (the plan removes units that matter).
  model.module()->eval();
  EXPECT_GT(
      max_abs_diff(model.bert()->forward(batch).sequence_output, reference.bert()->forward(batch).sequence_output),
      1e-2);
}

TEST_P(ApplyPlanTest, ShapesConfigAndLeafParameters) {
  const auto c = tiny_config();
  auto model = AnyBertModel::create(GetParam(), c);
  const auto before = model.module()->named_parameters();
  std::map<std::string, torch::Tensor> originals;
  for (const auto& p : before) originals[p.key()] = p.value().detach().clone();
  std::map<std::string, const torch::TensorImpl*> impl_before;
  for (const auto& p : before) impl_before[p.key()] = p.value().unsafeGetTensorImpl();

  const auto plan = example_plan();
  const auto report = apply_plan(model, plan);
  const auto after = model.module()->named_parameters();
  ASSERT_EQ(after.size(), before.size());

  // Exactly the expected parameters changed shape, and the report names them.
  const std::string l0 = "bert.encoder.layer.0.", l1 = "bert.encoder.layer.1.";
  std::map<std::string, std::vector<int64_t>> expected = {{l0 + "attention.self.query.weight", {12, 16}},
                                                          {l0 + "attention.self.query.bias", {12}},
                                                          {l0 + "attention.self.key.weight", {12, 16}},
                                                          {l0 + "attention.self.value.bias", {12}},
                                                          {l0 + "attention.output.dense.weight", {16, 12}},
                                                          {l0 + "attention.self.slimming_coef", {3}},
                                                          {l0 + "intermediate.dense.weight", {5, 16}},
                                                          {l0 + "intermediate.dense.bias", {5}},
                                                          {l0 + "output.dense.weight", {16, 5}},
                                                          {l0 + "slimming_coef", {5}},
                                                          {l1 + "attention.self.value.weight", {4, 16}},
                                                          {l1 + "attention.output.dense.weight", {16, 4}},
                                                          {l1 + "output.dense.weight", {16, 7}},
                                                          {l1 + "slimming_coef", {7}}};
  for (const auto& [name, shape] : expected) EXPECT_EQ(after[name].sizes().vec(), shape) << name;
  EXPECT_EQ(report.changed.size(), 2u * (7 + 1 + 3 + 1));
  for (const auto& ch : report.changed) {
    ASSERT_TRUE(after.contains(ch.name)) << ch.name;
    EXPECT_EQ(after[ch.name].sizes().vec(), ch.new_shape) << ch.name;
    EXPECT_EQ(originals[ch.name].sizes().vec(), ch.old_shape) << ch.name;
  }
  EXPECT_LT(report.params_after, report.params_before);

  // Surviving weights are the originals, exactly; other parameters are untouched.
  const auto rows = torch::tensor({0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15}, torch::kLong);  // heads 0,2,3
  EXPECT_TRUE(torch::equal(after[l0 + "attention.self.query.weight"],
                           originals[l0 + "attention.self.query.weight"].index_select(0, rows)));
  EXPECT_TRUE(torch::equal(after[l0 + "attention.output.dense.weight"],
                           originals[l0 + "attention.output.dense.weight"].index_select(1, rows)));
  const auto neurons = torch::tensor({1, 4, 5, 9, 10}, torch::kLong);
  EXPECT_TRUE(
      torch::equal(after[l0 + "output.dense.weight"], originals[l0 + "output.dense.weight"].index_select(1, neurons)));
  EXPECT_TRUE(torch::equal(after["bert.embeddings.word_embeddings.weight"],
                           originals["bert.embeddings.word_embeddings.weight"]));

  // Same leaf tensors, still trainable; the tied decoder is still the embedding matrix.
  for (const auto& p : after) {
    EXPECT_EQ(p.value().unsafeGetTensorImpl(), impl_before[p.key()]) << p.key();
    EXPECT_TRUE(p.value().is_leaf()) << p.key();
    EXPECT_TRUE(p.value().requires_grad()) << p.key();
  }
  if (GetParam() == ModelKind::PreTraining) {
    EXPECT_TRUE(
        model.get<BertForPreTraining>()->decoder_weight().is_same(after["bert.embeddings.word_embeddings.weight"]));
  }

  // A training step works and reaches the pruned parameters.
  model.module()->train();
  model.module()->zero_grad();
  const auto batch = test::tiny_batch_for(GetParam(), c);
  (model.loss(batch) + slimming_l1_penalty(slimming_coefficients(model.bert()), 1e-4, 1e-4)).backward();
  EXPECT_EQ(after[l0 + "intermediate.dense.weight"].grad().sizes(), (std::vector<int64_t>{5, 16}));

  // config.json of the pruned model rebuilds the same shapes.
  const auto& pc = model.config();
  EXPECT_EQ(pc.heads_per_layer, (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(pc.intermediate_sizes, (std::vector<int64_t>{5, 7}));
  EXPECT_EQ(pc.pruned_heads.at(0), (std::vector<int64_t>{1}));
  EXPECT_EQ(pc.pruned_heads.at(1), (std::vector<int64_t>{0, 2, 3}));
  const auto reread = BertConfig::from_json(pc.to_json(), "pruned config.json");
  EXPECT_EQ(reread, pc);
  auto rebuilt = AnyBertModel::create(GetParam(), reread);
  const auto rp = rebuilt.module()->named_parameters();
  ASSERT_EQ(rp.size(), after.size());
  for (const auto& p : after) EXPECT_EQ(rp[p.key()].sizes(), p.value().sizes()) << p.key();
  // ... and so does clone().
  auto copy = model.clone();
  for (const auto& p : copy.module()->named_parameters()) EXPECT_EQ(p.value().sizes(), after[p.key()].sizes());
}

INSTANTIATE_TEST_SUITE_P(AllKinds, ApplyPlanTest, ::testing::ValuesIn(kKinds),
                         [](const auto& info) { return architecture_name(info.param); });

TEST(ApplyPlan, PruningTwiceTracksOriginalHeadNumbers) {
  torch::manual_seed(1);
  const auto c = tiny_config();
  auto model = AnyBertModel::create(ModelKind::SequenceClassification, c);
  randomise_coefficients(model);
  auto reference = model.clone();
  apply_plan(model, example_plan());
  // Second plan in the pruned numbering: layer 0 has heads {0,2,3} (now 0,1,2): keep local {0,2}.
  PruningPlan second;
  second.layers.push_back({3, 5, {0, 2}, {0, 1, 3}});
  second.layers.push_back({1, 7, {0}, {6}});
  apply_plan(model, second);
  EXPECT_EQ(model.config().pruned_heads.at(0), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(model.config().heads_per_layer, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(model.config().intermediate_sizes, (std::vector<int64_t>{3, 1}));
  // Equivalent single plan on the original model: heads {0,3}, {1}; neurons {1,4,9}, {11}.
  PruningPlan combined;
  combined.layers.push_back({4, 12, {0, 3}, {1, 4, 9}});
  combined.layers.push_back({4, 12, {1}, {11}});
  zero_pruned_coefficients(reference, combined);
  model.module()->eval();
  reference.module()->eval();
  auto batch = tiny_batch(c);
  batch.labels = torch::tensor({0, 2, 1}, torch::kLong);
  EXPECT_LE(max_abs_diff(outputs(model, batch)[1], outputs(reference, batch)[1]), 1e-5);
}

TEST(ApplyPlan, ModelBuiltPrunedWithoutHistoryRecordsNoPrunedHeads) {
  auto c = tiny_config();
  c.heads_per_layer = {3, 4};  // built with 3 heads in layer 0, original numbering unknown
  BertModel model(c);
  PruningPlan plan = full_plan(c);
  plan.layers[0].kept_heads = {0, 2};
  plan.layers[1].kept_heads = {1, 3};
  apply_plan(model, plan);
  EXPECT_EQ(model->config().heads_per_layer, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(model->config().pruned_heads.count(0), 0u);
  EXPECT_EQ(model->config().pruned_heads.at(1), (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(BertConfig::from_json(model->config().to_json()), model->config());
}

TEST(ApplyPlan, APlanThatDoesNotFitLeavesTheModelUntouched) {
  const auto c = tiny_config();
  BertForSequenceClassification model(c);
  auto plan = example_plan();
  plan.layers[1].kept_heads = {1, 7};
  const auto before = model->bert->encoder->at(1).attention->self->query->weight.clone();
  expect_error([&] { apply_plan(model, plan); }, {"layer 1", "head index 7"});
  EXPECT_TRUE(torch::equal(model->bert->encoder->at(1).attention->self->query->weight, before));
  EXPECT_FALSE(model->config().is_pruned());
  plan = example_plan();
  plan.layers.pop_back();
  expect_error([&] { pruned_clone(model, plan); }, {"1 layers", "2"});
}

TEST(ApplyPlan, InPlaceAndCloneAgree) {
  torch::manual_seed(2);
  const auto c = tiny_config();
  BertForQuestionAnswering model(c);
  auto copy = pruned_clone(model, example_plan());
  EXPECT_FALSE(model->config().is_pruned());
  apply_plan(model, example_plan());
  model->eval();
  copy->eval();
  const auto batch = tiny_batch(c);
  EXPECT_LE(max_abs_diff(model->forward(batch).start_logits, copy->forward(batch).start_logits), 0.0);
}

TEST(ApplyPlan, WithoutSlimmingCoefficients) {
  torch::manual_seed(3);
  auto c = tiny_config();
  c.slimming = false;
  BertModel model(c);
  const auto report = apply_plan(model, example_plan());
  EXPECT_EQ(report.changed.size(), 2u * (7 + 3));
  EXPECT_FALSE(model->config().slimming);
  EXPECT_EQ(model->forward(tiny_batch(c)).sequence_output.size(2), 16);
}

TEST(L1Penalty, SumsAbsoluteCoefficientsWithSeparateLambdas) {
  const auto c = tiny_config();
  BertModel model(c);
  auto coefs = slimming_coefficients(model);
  {
    torch::NoGradGuard ng;
    coefs[0].heads.copy_(torch::tensor({1.f, -2.f, 0.5f, 0.f}));
    coefs[1].heads.fill_(1.f);
    coefs[0].ffn.fill_(-0.5f);
    coefs[1].ffn.fill_(0.25f);
  }
  const auto sums = slimming_l1_sums(coefs);
  EXPECT_FLOAT_EQ(sums.heads.item<float>(), 3.5f + 4.f);
  EXPECT_FLOAT_EQ(sums.ffn.item<float>(), 6.f + 3.f);
  const auto penalty = slimming_l1_penalty(coefs, 0.1, 0.01);
  EXPECT_NEAR(penalty.item<double>(), 0.1 * 7.5 + 0.01 * 9.0, 1e-6);
  EXPECT_EQ(penalty.dim(), 0);
  penalty.backward();
  // d/dc λ|c| = λ·sign(c)
  EXPECT_NEAR(coefs[0].heads.grad()[1].item<double>(), -0.1, 1e-7);
  EXPECT_NEAR(coefs[1].ffn.grad()[0].item<double>(), 0.01, 1e-7);
  auto off = c;
  off.slimming = false;
  BertModel plain(off);
  expect_error([&] { slimming_l1_sums(slimming_coefficients(plain)); }, {"slimming"});
}

}  // namespace
}  // namespace earlybert
