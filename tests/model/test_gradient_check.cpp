// Finite-difference check of the gradients of both kinds of slimming coefficient (double precision).
//
// The coefficients are folded into attention.output.dense / output.dense (see bert_attention.h), so
// this also checks that the fold gives the coefficients exactly the gradient of the definition.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "earlybert/model/any_bert_model.h"
#include "earlybert/model/slimming.h"
#include "model/tiny_model.h"

namespace earlybert {
namespace {

// Loss of `model` on `batch` as a double.
double loss_at(AnyBertModel& model, const Batch& batch) {
  torch::NoGradGuard ng;
  return model.loss(batch).item<double>();
}

void check_coefficient_gradients(ModelKind kind) {
  torch::manual_seed(11);
  auto c = test::tiny_config();
  auto model = AnyBertModel::create(kind, c);
  model.module()->to(torch::kDouble);
  model.module()->eval();  // no dropout: the loss is a deterministic function of the coefficients
  const auto batch = test::tiny_batch_for(kind, c, 2, 6);
  auto coefs = slimming_coefficients(model.bert());
  {
    torch::NoGradGuard ng;  // away from 1 (and with one negative) so nothing is special
    for (auto& l : coefs) {
      l.heads.uniform_(0.3, 1.7);
      l.ffn.uniform_(0.3, 1.7);
    }
    coefs[0].heads[1] = -0.8;
  }
  model.module()->zero_grad();
  model.loss(batch).backward();

  const double eps = 1e-6;
  int checked = 0;
  for (size_t l = 0; l < coefs.size(); ++l) {
    for (torch::Tensor* t : {&coefs[l].heads, &coefs[l].ffn}) {
      const auto analytic = t->grad().clone();
      ASSERT_TRUE(analytic.defined());
      for (int64_t i = 0; i < t->numel(); ++i) {
        const double orig = (*t)[i].item<double>();
        {
          torch::NoGradGuard ng;
          (*t)[i] = orig + eps;
        }
        const double up = loss_at(model, batch);
        {
          torch::NoGradGuard ng;
          (*t)[i] = orig - eps;
        }
        const double down = loss_at(model, batch);
        {
          torch::NoGradGuard ng;
          (*t)[i] = orig;
        }
        const double numeric = (up - down) / (2 * eps);
        const double a = analytic[i].item<double>();
        EXPECT_NEAR(a, numeric, 1e-7 + 1e-5 * std::fabs(numeric)) << "layer " << l << " unit " << i;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 2 * (4 + 12));
}

TEST(GradientCheck, SlimmingCoefficientsOfSequenceClassification) {
  check_coefficient_gradients(ModelKind::SequenceClassification);
}

TEST(GradientCheck, SlimmingCoefficientsOfMaskedLm) { check_coefficient_gradients(ModelKind::MaskedLM); }

}  // namespace
}  // namespace earlybert
