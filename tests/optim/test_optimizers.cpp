// Tests for the optimizers: weight-decay groups by parameter name, AdamW through make_optimizer, a
// LAMB step checked against the formula worked out by hand, gradient clipping, and saving/loading
// optimizer state (including the errors for another optimizer kind and other shapes).
#include "earlybert/optim/optimizers.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "earlybert/base/files.h"
#include "earlybert/optim/lamb.h"
#include "earlybert/optim/multi_tensor_adamw.h"
#include "expect_error.h"
#include "scratch_dir.h"
#include "test_paths.h"

using namespace earlybert;
using earlybert::test::expect_error;
using earlybert::test::scratch_dir;

namespace {

torch::Tensor param(std::vector<double> values) { return torch::tensor(values, torch::kFloat64).requires_grad_(true); }

void set_grad(torch::Tensor& p, std::vector<double> g) { p.mutable_grad() = torch::tensor(g, torch::kFloat64); }

torch::OrderedDict<std::string, torch::Tensor> named(std::vector<std::pair<std::string, torch::Tensor>> items) {
  torch::OrderedDict<std::string, torch::Tensor> d;
  for (auto& [k, v] : items) d.insert(k, v);
  return d;
}

struct Net {
  torch::Tensor weight = param({1.0, 2.0, -1.0});
  torch::Tensor bias = param({0.5});
  torch::Tensor coef = param({1.0, 1.0});
  torch::OrderedDict<std::string, torch::Tensor> params() {
    return named({{"encoder.layer.0.intermediate.dense.weight", weight},
                  {"encoder.layer.0.intermediate.dense.bias", bias},
                  {"encoder.layer.0.slimming_coef", coef}});
  }
  void grads(double scale) {
    set_grad(weight, {0.3 * scale, -0.2 * scale, 0.1});
    set_grad(bias, {0.05 * scale});
    set_grad(coef, {-0.4, 0.2 * scale});
  }
};

OptimizerOptions args_for(const std::string& optim) {
  OptimizerOptions a;
  a.kind = parse_enum<OptimizerKind>(optim, "optim");
  a.learning_rate = 0.1;
  a.weight_decay = 0.01;
  a.epsilon = 1e-6;
  return a;
}

}  // namespace

TEST(Optimizers, WeightDecayExclusionByName) {
  EXPECT_TRUE(excluded_from_weight_decay("bert.encoder.layer.0.attention.self.query.bias"));
  EXPECT_TRUE(excluded_from_weight_decay("bert.embeddings.LayerNorm.weight"));
  EXPECT_TRUE(excluded_from_weight_decay("bert.encoder.layer.3.output.LayerNorm.bias"));
  EXPECT_TRUE(excluded_from_weight_decay("bert.encoder.layer.1.attention.self.slimming_coef"));
  EXPECT_TRUE(excluded_from_weight_decay("bert.encoder.layer.1.slimming_coef"));
  EXPECT_FALSE(excluded_from_weight_decay("bert.encoder.layer.0.attention.self.query.weight"));
  EXPECT_FALSE(excluded_from_weight_decay("cls.predictions.transform.dense.weight"));
  EXPECT_FALSE(excluded_from_weight_decay("bias_free.weight"));  // "bias" must end the name

  auto frozen = torch::zeros({2}).requires_grad_(false);
  auto w = torch::zeros({2}).requires_grad_(true);
  auto b = torch::zeros({2}).requires_grad_(true);
  auto ln = torch::zeros({2}).requires_grad_(true);
  const auto g = split_weight_decay_groups(named({{"classifier.weight", w},
                                                  {"classifier.bias", b},
                                                  {"embeddings.LayerNorm.weight", ln},
                                                  {"embeddings.position_ids", frozen}}));
  EXPECT_EQ(g.decay_names, std::vector<std::string>({"classifier.weight"}));
  EXPECT_EQ(g.no_decay_names, std::vector<std::string>({"classifier.bias", "embeddings.LayerNorm.weight"}));
}

TEST(Optimizers, AdamWDecaysOnlyTheDecayGroup) {
  torch::NoGradGuard no_grad;
  Net net;
  auto opt = make_optimizer(net.params(), args_for("adamw"));
  ASSERT_NE(dynamic_cast<torch::optim::AdamW*>(opt.get()), nullptr);
  ASSERT_EQ(opt->param_groups().size(), 2u);
  net.grads(1.0);
  opt->step();
  // First AdamW step: p * (1 - lr * wd) - lr * m_hat / (sqrt(v_hat) + eps) with m_hat = g, v_hat = g^2.
  auto expect = [](double p, double g, double wd) { return p * (1 - 0.1 * wd) - 0.1 * g / (std::abs(g) + 1e-6); };
  EXPECT_NEAR(net.weight[0].item<double>(), expect(1.0, 0.3, 0.01), 1e-12);
  EXPECT_NEAR(net.weight[2].item<double>(), expect(-1.0, 0.1, 0.01), 1e-12);
  EXPECT_NEAR(net.bias[0].item<double>(), expect(0.5, 0.05, 0.0), 1e-12);  // no decay
  EXPECT_NEAR(net.coef[0].item<double>(), expect(1.0, -0.4, 0.0), 1e-12);  // no decay
}

TEST(Optimizers, LambFirstStepMatchesHandComputation) {
  // w = [1, 2], g = [0.5, -1], lr 0.1, betas (0.9, 0.999), eps 1e-6, weight decay 0.01, step 1:
  //   m_hat = g, v_hat = g^2  ->  u = g / (|g| + eps) + 0.01 w = [1.009998000004, -0.979999000001]
  //   r = ||w|| / ||u|| = sqrt(5) / 1.4072...  = 1.58890611573942
  //   w' = w - 0.1 r u = [0.839520800090906, 2.155712640452010]
  auto w = param({1.0, 2.0});
  Lamb lamb({w}, LambOptions(0.1).betas(std::make_tuple(0.9, 0.999)).eps(1e-6).weight_decay(0.01));
  set_grad(w, {0.5, -1.0});
  lamb.step();
  EXPECT_NEAR(w[0].item<double>(), 0.8395208000909061, 1e-12);
  EXPECT_NEAR(w[1].item<double>(), 2.1557126404520104, 1e-12);
}

TEST(Optimizers, LambSecondStepUsesBiasCorrectionAndTrustRatio) {
  auto w = param({0.3, -0.7, 1.1});
  const double lr = 0.05, b1 = 0.8, b2 = 0.99, eps = 1e-8, wd = 0.1;
  Lamb lamb({w}, LambOptions(lr).betas(std::make_tuple(b1, b2)).eps(eps).weight_decay(wd));
  const std::vector<std::vector<double>> grads = {{0.2, -0.1, 0.4}, {-0.3, 0.25, 0.1}};
  // Scalar reference, written from the update rule in lamb.h.
  std::vector<double> ref = {0.3, -0.7, 1.1}, m(3, 0.0), v(3, 0.0);
  for (size_t t = 1; t <= grads.size(); ++t) {
    set_grad(w, grads[t - 1]);
    lamb.step();
    std::vector<double> u(3);
    double wn = 0, un = 0;
    for (size_t i = 0; i < 3; ++i) {
      const double g = grads[t - 1][i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      u[i] = (m[i] / (1 - std::pow(b1, t))) / (std::sqrt(v[i] / (1 - std::pow(b2, t))) + eps) + wd * ref[i];
      wn += ref[i] * ref[i];
      un += u[i] * u[i];
    }
    const double r = std::sqrt(wn) / std::sqrt(un);
    for (size_t i = 0; i < 3; ++i) ref[i] -= lr * r * u[i];
    for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(w[static_cast<int64_t>(i)].item<double>(), ref[i], 1e-12) << t;
  }
}

TEST(Optimizers, LambNoDecayGroupIsPlainAdamUnlessAlwaysAdapt) {
  // Without weight decay the trust ratio is not applied (NVIDIA FusedLAMB's default) ...
  auto b = param({2.0});
  Lamb plain({b}, LambOptions(0.1).weight_decay(0.0).eps(0.0));
  set_grad(b, {0.5});
  plain.step();
  EXPECT_NEAR(b[0].item<double>(), 2.0 - 0.1, 1e-12);  // u = g / |g| = 1
  // ... unless always_adapt: r = ||w|| / ||u|| = 2 / 1.
  auto c = param({2.0});
  Lamb adapt({c}, LambOptions(0.1).weight_decay(0.0).eps(0.0).always_adapt(true));
  set_grad(c, {0.5});
  adapt.step();
  EXPECT_NEAR(c[0].item<double>(), 2.0 - 0.1 * 2.0, 1e-12);
  // A zero weight norm falls back to r = 1.
  auto z = param({0.0});
  Lamb zero({z}, LambOptions(0.1).weight_decay(0.01).eps(0.0));
  set_grad(z, {-3.0});
  zero.step();
  EXPECT_NEAR(z[0].item<double>(), 0.1, 1e-12);
}

TEST(Optimizers, SetLearningRateReachesEveryGroup) {
  Net net;
  for (const char* kind : {"adamw", "lamb"}) {
    auto opt = make_optimizer(net.params(), args_for(kind));
    set_learning_rate(*opt, 0.0125);
    for (const auto& g : opt->param_groups()) EXPECT_DOUBLE_EQ(g.options().get_lr(), 0.0125) << kind;
    EXPECT_DOUBLE_EQ(learning_rate(*opt), 0.0125);
    EXPECT_EQ(optimizer_parameters(*opt).size(), 3u);
  }
}

TEST(Optimizers, ClipGradNormReturnsNormAndScales) {
  auto a = torch::zeros({2}, torch::kFloat64).requires_grad_(true);
  auto b = torch::zeros({3}, torch::kFloat64).requires_grad_(true);
  auto c = torch::zeros({1}, torch::kFloat64).requires_grad_(true);  // no gradient: skipped
  set_grad(a, {3.0, 4.0});
  set_grad(b, {0.0, 0.0, 12.0});
  EXPECT_DOUBLE_EQ(clip_grad_norm({a, b, c}, 100.0), 13.0);  // below the limit: unchanged
  EXPECT_DOUBLE_EQ(a.grad()[1].item<double>(), 4.0);
  EXPECT_DOUBLE_EQ(clip_grad_norm({a, b, c}, 0.0), 13.0);  // 0: measure only
  EXPECT_DOUBLE_EQ(clip_grad_norm({a, b, c}, 1.3), 13.0);
  const double scale = 1.3 / (13.0 + 1e-6);
  EXPECT_NEAR(a.grad()[0].item<double>(), 3.0 * scale, 1e-15);
  EXPECT_NEAR(b.grad()[2].item<double>(), 12.0 * scale, 1e-15);
  EXPECT_DOUBLE_EQ(clip_grad_norm({c}, 1.0), 0.0);
  // Same answer as LibTorch's own clip_grad_norm_.
  auto x = torch::randn({5, 7}, torch::kFloat64).requires_grad_(true);
  auto y = torch::randn({11}, torch::kFloat64).requires_grad_(true);
  x.mutable_grad() = torch::randn({5, 7}, torch::kFloat64);
  y.mutable_grad() = torch::randn({11}, torch::kFloat64);
  auto x2 = x.detach().clone().requires_grad_(true), y2 = y.detach().clone().requires_grad_(true);
  x2.mutable_grad() = x.grad().clone();
  y2.mutable_grad() = y.grad().clone();
  const double ours = clip_grad_norm({x, y}, 0.5);
  const double theirs = torch::nn::utils::clip_grad_norm_(std::vector<torch::Tensor>{x2, y2}, 0.5);
  EXPECT_NEAR(ours, theirs, 1e-12);
  EXPECT_TRUE(torch::allclose(x.grad(), x2.grad(), 1e-12, 1e-14));
  // A non-finite norm is returned and gradients are left alone for the caller to skip the update.
  set_grad(a, {std::nan(""), 1.0});
  EXPECT_TRUE(std::isnan(clip_grad_norm({a}, 1.0)));
  EXPECT_DOUBLE_EQ(a.grad()[1].item<double>(), 1.0);
}

TEST(Optimizers, StateSaveLoadContinuesIdentically) {
  const std::string dir = scratch_dir("optim_state");
  for (const char* kind : {"adamw", "lamb"}) {
    SCOPED_TRACE(kind);
    Net a;
    auto opt_a = make_optimizer(a.params(), args_for(kind));
    for (int i = 0; i < 3; ++i) {
      a.grads(1.0 + i);
      opt_a->step();
    }
    const std::string path = dir + "/" + kind + ".pt";
    save_optimizer_state(*opt_a, path);

    Net b;  // same starting values, then copy a's current parameters
    {
      torch::NoGradGuard ng;
      b.weight.copy_(a.weight);
      b.bias.copy_(a.bias);
      b.coef.copy_(a.coef);
    }
    auto opt_b = make_optimizer(b.params(), args_for(kind));
    load_optimizer_state(*opt_b, path);
    for (int i = 0; i < 2; ++i) {
      a.grads(-0.5 + i);
      b.grads(-0.5 + i);
      opt_a->step();
      opt_b->step();
    }
    EXPECT_TRUE(torch::equal(a.weight, b.weight));
    EXPECT_TRUE(torch::equal(a.bias, b.bias));
    EXPECT_TRUE(torch::equal(a.coef, b.coef));
  }
}

TEST(Optimizers, StateLoadErrorsNameThePath) {
  const std::string dir = scratch_dir("optim_errors");
  Net net;
  auto adamw = make_optimizer(net.params(), args_for("adamw"));
  net.grads(1.0);
  adamw->step();
  save_optimizer_state(*adamw, dir + "/adamw.pt");

  auto lamb = make_optimizer(net.params(), args_for("lamb"));
  expect_error([&] { load_optimizer_state(*lamb, dir + "/adamw.pt"); }, {dir + "/adamw.pt", "'adamw'", "'lamb'"});
  expect_error([&] { load_optimizer_state(*adamw, dir + "/missing.pt"); }, {dir + "/missing.pt"});

  // The same group structure but other shapes (a model after the draw): refused, not loaded.
  auto w = torch::zeros({2}, torch::kFloat64).requires_grad_(true);
  auto bias = torch::zeros({1}, torch::kFloat64).requires_grad_(true);
  auto coef = torch::zeros({2}, torch::kFloat64).requires_grad_(true);
  auto pruned = make_optimizer(named({{"encoder.layer.0.intermediate.dense.weight", w},
                                      {"encoder.layer.0.intermediate.dense.bias", bias},
                                      {"encoder.layer.0.slimming_coef", coef}}),
                               args_for("adamw"));
  expect_error([&] { load_optimizer_state(*pruned, dir + "/adamw.pt"); }, {dir + "/adamw.pt", "shape"});

  write_file_atomic(dir + "/garbage.pt", "not a zip file");
  expect_error([&] { load_optimizer_state(*adamw, dir + "/garbage.pt"); }, {dir + "/garbage.pt"});
}

namespace {

// Two groups (decayed and not), float32, one tensor without a gradient in some steps.
std::vector<torch::optim::OptimizerParamGroup> adamw_groups(std::vector<torch::Tensor>& ps) {
  auto decay = torch::optim::AdamWOptions(1e-2).betas({0.9, 0.98}).eps(1e-6).weight_decay(0.01);
  auto no_decay = decay;
  no_decay.weight_decay(0.0);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<torch::Tensor>{ps[0], ps[1]}, std::make_unique<torch::optim::AdamWOptions>(decay));
  groups.emplace_back(std::vector<torch::Tensor>{ps[2]}, std::make_unique<torch::optim::AdamWOptions>(no_decay));
  return groups;
}

std::vector<torch::Tensor> fresh_params() {
  torch::manual_seed(4);
  return {torch::randn({7, 5}).requires_grad_(true), torch::randn({5}).requires_grad_(true),
          torch::randn({3, 3}).requires_grad_(true)};
}

void set_grads(std::vector<torch::Tensor>& ps, int step) {
  torch::manual_seed(100 + step);
  for (size_t i = 0; i < ps.size(); ++i) {
    if (i == 1 && step % 3 == 1) {
      ps[i].mutable_grad().reset();  // no gradient this step: neither decayed nor moved
    } else {
      ps[i].mutable_grad() = torch::randn(ps[i].sizes());
    }
  }
}

}  // namespace

TEST(Optimizers, MultiTensorAdamWEqualsLibTorchAdamWBitForBit) {
  auto a = fresh_params();
  auto b = fresh_params();
  torch::optim::AdamW reference(adamw_groups(a), torch::optim::AdamWOptions(1e-2));
  MultiTensorAdamW fast(adamw_groups(b), torch::optim::AdamWOptions(1e-2));
  for (int step = 0; step < 6; ++step) {
    set_grads(a, step);
    set_grads(b, step);
    reference.step();
    fast.step();
    for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "step " << step << " tensor " << i;
  }
}

TEST(Optimizers, MultiTensorAdamWStateLoadsIntoLibTorchAdamW) {
  // Same state objects and archive format: a state saved by one continues identically in the other.
  auto a = fresh_params();
  auto b = fresh_params();
  MultiTensorAdamW first(adamw_groups(a), torch::optim::AdamWOptions(1e-2));
  torch::optim::AdamW second(adamw_groups(b), torch::optim::AdamWOptions(1e-2));
  for (int step = 0; step < 3; ++step) {
    set_grads(a, step);
    first.step();
  }
  {
    torch::NoGradGuard ng;
    for (size_t i = 0; i < a.size(); ++i) b[i].copy_(a[i]);
  }
  const std::string path = scratch_dir("mt_adamw") + "/optimizer.pt";
  torch::save(first, path);
  torch::load(second, path);
  for (int step = 3; step < 6; ++step) {
    set_grads(a, step);
    set_grads(b, step);
    first.step();
    second.step();
    for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "step " << step << " tensor " << i;
  }
}
