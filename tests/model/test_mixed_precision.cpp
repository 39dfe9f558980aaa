// The BERT model on both matrix-product paths and under bf16 autocast: equal loss curves for a few
// training steps (oneDNN vs ATen, fp32), the dtypes that must stay fp32 under autocast (LayerNorm,
// softmax statistics, slimming coefficients, logits, loss, every gradient), and bf16 training that
// converges on a learnable fixture.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "earlybert/model/any_bert_model.h"
#include "earlybert/model/bert_for_question_answering.h"
#include "earlybert/model/bert_for_sequence_classification.h"
#include "earlybert/model/bert_for_token_classification.h"
#include "earlybert/model/bert_heads.h"
#include "earlybert/model/bert_model.h"
#include "earlybert/model/slimming.h"
#include "earlybert/prune/l1_penalty.h"
#include "earlybert/runtime/matmul.h"
#include "earlybert/runtime/precision.h"
#include "model/attention_core.h"
#include "model/tiny_model.h"

namespace earlybert {
namespace {

using test::tiny_batch_for;
using test::tiny_config;

class BackendScope {
 public:
  explicit BackendScope(MatmulBackend b) : previous_(matmul_backend()) { set_matmul_backend(b); }
  ~BackendScope() { set_matmul_backend(previous_); }

 private:
  MatmulBackend previous_;
};

/// Losses of `steps` AdamW steps of a fresh tiny model (same seed every call: same weights, same
/// dropout masks), optionally under bf16 autocast for forward and loss.
std::vector<double> loss_curve(ModelKind kind, int steps, Precision precision, double lr = 1e-3) {
  torch::manual_seed(21);
  auto config = tiny_config();
  config.slimming = true;
  auto model = AnyBertModel::create(kind, config);
  model.module()->train();
  const auto batch = tiny_batch_for(kind, config, 4, 9, /*seed=*/5);
  torch::optim::AdamW optimizer(model.module()->parameters(), torch::optim::AdamWOptions(lr));
  torch::manual_seed(22);  // the dropout masks
  std::vector<double> losses;
  for (int i = 0; i < steps; ++i) {
    optimizer.zero_grad();
    torch::Tensor loss;
    {
      AutocastGuard autocast(precision, torch::kCPU);
      loss = model.loss(batch) + slimming_l1_penalty(slimming_coefficients(model.bert()), 1e-4, 1e-4);
    }
    EXPECT_EQ(loss.scalar_type(), torch::kFloat32);
    loss.backward();
    optimizer.step();
    losses.push_back(loss.item<double>());
  }
  return losses;
}

TEST(MixedPrecisionModel, OneDnnAndAtenGiveEqualLossCurvesInFp32) {
  if (!onednn_built()) GTEST_SKIP() << "built without oneDNN (libdnnl-dev): only the ATen path exists";
  for (auto kind : {ModelKind::SequenceClassification, ModelKind::PreTraining, ModelKind::QuestionAnswering}) {
    std::vector<double> aten, dnnl;
    {
      BackendScope scope(MatmulBackend::Aten);
      aten = loss_curve(kind, 6, Precision::Fp32);
    }
    {
      BackendScope scope(MatmulBackend::OneDnn);
      dnnl = loss_curve(kind, 6, Precision::Fp32);
    }
    ASSERT_EQ(aten.size(), dnnl.size());
    for (size_t i = 0; i < aten.size(); ++i) {
      EXPECT_NEAR(dnnl[i], aten[i], 1e-4 * std::abs(aten[i])) << architecture_name(kind) << " step " << i;
    }
    EXPECT_LT(aten.back(), aten.front()) << architecture_name(kind) << ": the steps must train something";
  }
}

TEST(MixedPrecisionModel, Bf16LossCurvesOfBothPathsStayCloseToFp32) {
  for (auto backend : {MatmulBackend::Aten, MatmulBackend::OneDnn}) {
    if (backend == MatmulBackend::OneDnn && !onednn_built()) continue;
    BackendScope scope(backend);
    const auto fp32 = loss_curve(ModelKind::SequenceClassification, 5, Precision::Fp32);
    const auto bf16 = loss_curve(ModelKind::SequenceClassification, 5, Precision::Bf16);
    for (size_t i = 0; i < fp32.size(); ++i) {
      EXPECT_NEAR(bf16[i], fp32[i], 2e-2 * std::abs(fp32[i])) << to_string(backend) << " step " << i;
    }
  }
}

TEST(MixedPrecisionModel, UnderBf16AutocastLogitsLossAndAllGradientsAreFp32) {
  for (auto kind : {ModelKind::SequenceClassification, ModelKind::MaskedLM, ModelKind::PreTraining,
                    ModelKind::QuestionAnswering, ModelKind::TokenClassification}) {
    torch::manual_seed(1);
    auto config = tiny_config();
    config.slimming = true;
    auto model = AnyBertModel::create(kind, config);
    const auto batch = tiny_batch_for(kind, config);
    torch::Tensor loss;
    {
      AutocastGuard autocast(Precision::Bf16, torch::kCPU);
      loss = model.loss(batch) + slimming_l1_penalty(slimming_coefficients(model.bert()), 1e-4, 1e-4);
      if (kind == ModelKind::SequenceClassification) {
        EXPECT_EQ(model.get<BertForSequenceClassification>()->forward(batch).logits.scalar_type(), torch::kFloat32);
      } else if (kind == ModelKind::QuestionAnswering) {
        EXPECT_EQ(model.get<BertForQuestionAnswering>()->forward(batch).start_logits.scalar_type(), torch::kFloat32);
      } else if (kind == ModelKind::TokenClassification) {
        EXPECT_EQ(model.get<BertForTokenClassification>()->forward(batch).logits.scalar_type(), torch::kFloat32);
      }
    }
    EXPECT_EQ(loss.scalar_type(), torch::kFloat32) << architecture_name(kind);
    loss.backward();
    for (const auto& p : model.module()->named_parameters()) {
      EXPECT_EQ(p.value().scalar_type(), torch::kFloat32) << p.key();
      ASSERT_TRUE(p.value().grad().defined()) << architecture_name(kind) << " " << p.key();
      EXPECT_EQ(p.value().grad().scalar_type(), torch::kFloat32) << p.key();
    }
    for (const auto& l : slimming_coefficients(model.bert())) {
      EXPECT_EQ(l.heads.grad().scalar_type(), torch::kFloat32);
      EXPECT_EQ(l.ffn.grad().scalar_type(), torch::kFloat32);
    }
  }
}

TEST(MixedPrecisionModel, LayerNormsRunInFp32OnBf16Inputs) {
  // LibTorch 1.13's CPU autocast leaves layer_norm in its input's dtype; the model casts to fp32.
  auto config = tiny_config();
  AutocastGuard autocast(Precision::Bf16, torch::kCPU);
  BertPredictionHeadTransform transform(config);  // dense (bf16 under autocast) -> gelu -> LayerNorm
  EXPECT_EQ(transform->forward(torch::randn({3, config.hidden_size})).scalar_type(), torch::kFloat32);
  auto layer_options = BertLayerOptions::for_layer(config, 0);
  BertSelfOutput self_output(layer_options);
  const auto context = torch::randn({2, 3, config.hidden_size}).to(torch::kBFloat16);
  const auto residual = torch::randn({2, 3, config.hidden_size}).to(torch::kBFloat16);  // even a bf16 residual
  EXPECT_EQ(self_output->forward(context, residual).scalar_type(), torch::kFloat32);
  BertModel bert(config);
  const auto batch = tiny_batch_for(ModelKind::MaskedLM, config);
  EXPECT_EQ(bert->forward(batch.input_ids, batch.token_type_ids, batch.attention_mask).sequence_output.scalar_type(),
            torch::kFloat32);
}

TEST(MixedPrecisionModel, AttentionSoftmaxSeesFp32ScoresOnOneDnn) {
  // Scores around 200 that differ by ~0.3: bf16 (8 significant bits, spacing 1 at 200) would round the
  // differences away and change the probabilities by tens of percent. The oneDNN path writes the scores
  // of the bf16 product in fp32, so the context matches an fp32 softmax of the same bf16 inputs to
  // bf16 output rounding.
  if (!onednn_built()) GTEST_SKIP() << "built without oneDNN: the ATen path rounds bf16 scores before the softmax";
  BackendScope scope(MatmulBackend::OneDnn);
  torch::manual_seed(4);
  const int64_t B = 1, S = 6, H = 1, d = 4;
  auto q = torch::full({B, S, H * d}, 10.0);
  auto k = torch::full({B, S, H * d}, 10.0) + 0.06 * torch::randn({B, S, H * d});
  const auto v = torch::randn({B, S, H * d});
  q = q.to(torch::kBFloat16);
  k = k.to(torch::kBFloat16);
  const auto vb = v.to(torch::kBFloat16);
  torch::Tensor ctx;
  {
    AutocastGuard autocast(Precision::Bf16, torch::kCPU);
    ctx = detail::attention_context(q, k, vb, {}, H, d, 0.0, false);
  }
  EXPECT_EQ(ctx.scalar_type(), torch::kBFloat16);
  const auto ref = detail::attention_context_reference(q.to(torch::kDouble), k.to(torch::kDouble),
                                                       vb.to(torch::kDouble), {}, H, d, 0.0, false);
  const double scale = ref.abs().max().item<double>();
  EXPECT_LE((ctx.to(torch::kDouble) - ref).abs().max().item<double>(), 1e-2 * scale);
  // The same computation with bf16 scores is far off: the test can tell the two apart.
  const auto scores_bf16 = (torch::matmul(q.view({S, d}), k.view({S, d}).t()) * 0.5).to(torch::kBFloat16);
  const auto ctx_bf16 =
      torch::matmul(torch::softmax(scores_bf16.to(torch::kDouble), -1), vb.view({S, d}).to(torch::kDouble));
  EXPECT_GT((ctx_bf16 - ref.view({S, d})).abs().max().item<double>(), 5e-2 * scale);
}

TEST(MixedPrecisionModel, Bf16TrainingConvergesOnALearnableFixture) {
  // A fixed batch whose labels are a function of the tokens: 80 bf16 steps must memorise it, on each path.
  for (auto backend : {MatmulBackend::Aten, MatmulBackend::OneDnn}) {
    if (backend == MatmulBackend::OneDnn && !onednn_built()) continue;
    BackendScope scope(backend);
    torch::manual_seed(8);
    auto config = tiny_config();
    config.slimming = true;
    config.hidden_dropout_prob = 0.0;
    config.attention_probs_dropout_prob = 0.0;
    auto model = AnyBertModel::create(ModelKind::SequenceClassification, config);
    auto batch = tiny_batch_for(ModelKind::SequenceClassification, config, 8, 8, 9);
    batch.labels = batch.input_ids.select(1, 1).remainder(config.num_labels);
    torch::optim::AdamW optimizer(model.module()->parameters(), torch::optim::AdamWOptions(3e-3));
    double first = 0, last = 0;
    for (int i = 0; i < 80; ++i) {
      optimizer.zero_grad();
      torch::Tensor loss;
      {
        AutocastGuard autocast(Precision::Bf16, torch::kCPU);
        loss = model.loss(batch);
      }
      loss.backward();
      optimizer.step();
      if (i == 0) first = loss.item<double>();
      last = loss.item<double>();
    }
    EXPECT_GT(first, 0.7) << to_string(backend);
    EXPECT_LT(last, 0.1) << to_string(backend) << ": bf16 training did not fit the fixture (first loss " << first
                         << ")";
    for (const auto& l : slimming_coefficients(model.bert())) EXPECT_EQ(l.ffn.scalar_type(), torch::kFloat32);
  }
}

}  // namespace
}  // namespace earlybert
