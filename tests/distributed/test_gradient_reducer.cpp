// GradientReducer in one process: the bucket layout (reverse registration order, the size cap, one
// dtype per bucket, a tied parameter once) and finish() leaving gradients as they are. The
// multi-rank behaviour is in test_gloo_ranks.cpp.
#include <ATen/Functions.h>
#include <gtest/gtest.h>

#include "earlybert/distributed/gather.h"
#include "earlybert/distributed/gradient_reducer.h"
#include "expect_error.h"

namespace earlybert {
namespace {

at::Tensor param(std::vector<int64_t> shape, at::ScalarType type = at::kFloat) {
  return at::zeros(shape, at::TensorOptions().dtype(type)).set_requires_grad(true);
}

TEST(GradientReducer, BucketsInReverseRegistrationOrderUnderTheCap) {
  SingleProcessCommunicator comm;
  at::Tensor a = param({10}), b = param({10}), c = param({30}), d = param({10});
  at::Tensor frozen = at::zeros({5});
  GradientReducerOptions options;
  options.bucket_cap_bytes = 80;  // 20 floats
  GradientReducer reducer(comm, {a, b, frozen, c, d}, options);
  // d (40 B) + c (120 B) exceeds 80 → c alone; then b + a.
  const std::vector<std::vector<size_t>> expected = {{4}, {3}, {1, 0}};
  EXPECT_EQ(reducer.buckets(), expected);
}

TEST(GradientReducer, OneDtypePerBucketAndTiedParametersOnce) {
  SingleProcessCommunicator comm;
  at::Tensor a = param({4}), b = param({4}, at::kDouble), c = param({4});
  GradientReducer reducer(comm, {a, b, c, a});  // `a` twice, as a tied embedding would be
  const std::vector<std::vector<size_t>> expected = {{3, 2}, {1}};
  EXPECT_EQ(reducer.buckets(), expected);
}

TEST(GradientReducer, OneProcessLeavesGradientsAsTheyAre) {
  SingleProcessCommunicator comm;
  at::Tensor w = param({3});
  at::Tensor unused = param({2});
  GradientReducer reducer(comm, {w, unused});
  (w * at::arange(3, at::kFloat)).sum().backward();
  reducer.finish();
  EXPECT_TRUE(at::equal(w.grad(), at::arange(3, at::kFloat)));
  EXPECT_FALSE(unused.grad().defined());
  reducer.rebuild({w});
  EXPECT_EQ(reducer.buckets().size(), 1u);
}

TEST(GradientReducer, RejectsABadCap) {
  SingleProcessCommunicator comm;
  GradientReducerOptions options;
  options.bucket_cap_bytes = 0;
  test::expect_error([&] { GradientReducer reducer(comm, {param({1})}, options); }, {"bucket_cap_bytes"});
}

TEST(GatherInRankOrder, OneProcessReturnsItsRows) {
  SingleProcessCommunicator comm;
  const at::Tensor rows = at::arange(6, at::kFloat).reshape({3, 2});
  EXPECT_TRUE(at::equal(gather_in_rank_order(comm, rows), rows));
  test::expect_error([&] { gather_in_rank_order(comm, at::scalar_tensor(1.0)); }, {"gather_in_rank_order"});
}

}  // namespace
}  // namespace earlybert
