// earlybert::dropout: statistics, scaling, determinism (seed, thread count), gradient, fallbacks.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "earlybert/model/dropout.h"

namespace earlybert {
namespace {

TEST(Dropout, IdentityWhenNotTrainingOrZeroProbability) {
  const auto x = torch::randn({4, 5});
  EXPECT_TRUE(earlybert::dropout(x, 0.1, /*training=*/false).is_same(x));
  EXPECT_TRUE(earlybert::dropout(x, 0.0, /*training=*/true).is_same(x));
}

TEST(Dropout, KeepsTheRightFractionAndScalesKeptValues) {
  for (double p : {0.1, 0.5, 0.9}) {
    const auto x = torch::rand({1000, 1001}) + 0.5;  // odd element count: the last pair is half used
    const auto y = earlybert::dropout(x, p, true);
    const auto kept = y.ne(0);
    const double fraction = kept.to(torch::kDouble).mean().item<double>();
    // 1e6 Bernoulli draws: the standard deviation of the fraction is at most 5e-4.
    EXPECT_NEAR(fraction, 1.0 - p, 3e-3) << "p=" << p;
    const auto expected = x.masked_select(kept) / (1.0 - p);
    EXPECT_TRUE(torch::allclose(y.masked_select(kept), expected, 1e-6, 0.0)) << "p=" << p;
  }
}

TEST(Dropout, NeighbouringElementsAreIndependent) {
  // Two draws come from one hash; their joint statistics must still be those of independent draws.
  const auto m = dropout_mask(torch::empty({2000000}), 0.5, 1234).ne(0).to(torch::kDouble).view({-1, 2});
  const double both = (m.select(1, 0) * m.select(1, 1)).mean().item<double>();
  EXPECT_NEAR(both, 0.25, 3e-3);
  const double first = m.select(1, 0).mean().item<double>();
  const double second = m.select(1, 1).mean().item<double>();
  EXPECT_NEAR(first, 0.5, 3e-3);
  EXPECT_NEAR(second, 0.5, 3e-3);
}

TEST(Dropout, FollowsTheDefaultGeneratorAndDiffersBetweenCalls) {
  const auto x = torch::ones({64, 64});
  torch::manual_seed(5);
  const auto a1 = earlybert::dropout(x, 0.3, true);
  const auto a2 = earlybert::dropout(x, 0.3, true);
  torch::manual_seed(5);
  const auto b1 = earlybert::dropout(x, 0.3, true);
  const auto b2 = earlybert::dropout(x, 0.3, true);
  EXPECT_TRUE(torch::equal(a1, b1));
  EXPECT_TRUE(torch::equal(a2, b2));
  EXPECT_FALSE(torch::equal(a1, a2));
}

TEST(Dropout, MaskDoesNotDependOnTheThreadCount) {
  const int threads = torch::get_num_threads();
  const auto like = torch::empty({3, 100003});
  torch::set_num_threads(1);
  const auto one = dropout_mask(like, 0.2, 99);
  torch::set_num_threads(2);
  const auto two = dropout_mask(like, 0.2, 99);
  torch::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(one, two));
}

TEST(Dropout, MaskHasTheInputsDtype) {
  const auto m = dropout_mask(torch::empty({10, 10}, torch::kDouble), 0.25, 7);
  EXPECT_EQ(m.scalar_type(), torch::kDouble);
  EXPECT_TRUE(torch::logical_or(m.eq(0), m.eq(1.0 / 0.75)).all().item<bool>());
  EXPECT_EQ(dropout_mask(torch::empty({4}, torch::kBFloat16), 0.25, 7).scalar_type(), torch::kBFloat16);
}

TEST(Dropout, GradientIsTheMask) {
  auto x = torch::randn({8, 16}, torch::requires_grad());
  const auto y = earlybert::dropout(x, 0.4, true);
  y.sum().backward();
  // dy/dx is 1/(1-p) where kept, 0 where dropped; y/x recovers it elementwise.
  const auto expected = y.detach().ne(0).to(torch::kFloat) / 0.6;
  EXPECT_TRUE(torch::allclose(x.grad(), expected, 1e-6, 1e-6));
}

TEST(Dropout, ProbabilityOneDropsEverything) {
  const auto y = earlybert::dropout(torch::ones({5, 5}), 1.0, true);
  EXPECT_EQ(y.abs().sum().item<float>(), 0.0f);
}

TEST(Dropout, CudaUsesAtenDropout) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const auto x = torch::ones({1000, 1000}, torch::kCUDA);
  const auto y = earlybert::dropout(x, 0.25, true);
  EXPECT_TRUE(y.is_cuda());
  EXPECT_NEAR(y.ne(0).to(torch::kDouble).mean().item<double>(), 0.75, 3e-3);
  EXPECT_NEAR(y.max().item<float>(), 1.0f / 0.75f, 1e-6);
}

}  // namespace
}  // namespace earlybert
