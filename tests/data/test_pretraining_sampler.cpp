// Tests for the reading order: seeded shuffles, disjoint equal rank slices, and exact resume.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "earlybert/base/error.h"
#include "earlybert/data/pretraining_sampler.h"

namespace earlybert {
namespace {

TEST(EpochOrder, PermutationDeterministicPerSeedAndEpoch) {
  const auto a = epoch_order(1000, 7, 0);
  auto sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (uint32_t i = 0; i < 1000; ++i) ASSERT_EQ(sorted[i], i);
  EXPECT_EQ(epoch_order(1000, 7, 0), a);
  EXPECT_NE(epoch_order(1000, 7, 1), a);
  EXPECT_NE(epoch_order(1000, 8, 0), a);
  const auto identity = epoch_order(10, 7, 3, /*shuffle=*/false);
  for (uint32_t i = 0; i < 10; ++i) EXPECT_EQ(identity[i], i);
}

TEST(DistributedSampler, RanksGetDisjointEqualSlices) {
  const size_t n = 1003, world = 4;
  std::set<size_t> seen;
  const auto order = epoch_order(n, 5, 2);
  for (size_t r = 0; r < world; ++r) {
    DistributedSampler s(n, 5, r, world);
    EXPECT_EQ(s.per_rank(), 250u);
    EXPECT_EQ(s.left_out_per_epoch(), 3u);
    const auto mine = s.epoch_indices(2);
    ASSERT_EQ(mine.size(), 250u);
    for (size_t k = 0; k < mine.size(); ++k) {
      EXPECT_TRUE(seen.insert(mine[k]).second) << "example " << mine[k] << " read by two ranks";
      EXPECT_EQ(mine[k], order[k * world + r]);  // the k-th step of all ranks = one global batch
    }
    EXPECT_EQ(DistributedSampler(n, 5, r, world).epoch_indices(2), mine);  // deterministic
  }
  EXPECT_EQ(seen.size(), 1000u);
  // The examples left out are the permutation's last three, so they change from epoch to epoch.
  std::set<size_t> left_out(order.end() - 3, order.end());
  for (size_t x : left_out) EXPECT_EQ(seen.count(x), 0u);
  const auto next_order = epoch_order(n, 5, 3);
  EXPECT_NE(left_out, std::set<size_t>(next_order.end() - 3, next_order.end()));
}

TEST(DistributedSampler, NextWalksEpochsAndResumesExactly) {
  DistributedSampler a(101, 11, 1, 3);  // 33 per rank
  std::vector<SampledIndex> first;
  for (int i = 0; i < 50; ++i) first.push_back(a.next());
  EXPECT_EQ(first[32].epoch, 0u);
  EXPECT_EQ(first[33].epoch, 1u);
  const auto e0 = a.epoch_indices(0), e1 = a.epoch_indices(1);
  for (size_t k = 0; k < 33; ++k) EXPECT_EQ(first[k].example, e0[k]);
  for (size_t k = 33; k < 50; ++k) EXPECT_EQ(first[k].example, e1[k - 33]);
  EXPECT_EQ(a.position(), (StreamPosition{1, 17}));

  // A fresh sampler restored to the saved position continues with the same examples.
  const StreamPosition saved = a.position();
  std::vector<size_t> rest_a, rest_b;
  for (int i = 0; i < 60; ++i) rest_a.push_back(a.next().example);
  DistributedSampler b(101, 11, 1, 3);
  b.set_position(saved);
  for (int i = 0; i < 60; ++i) rest_b.push_back(b.next().example);
  EXPECT_EQ(rest_a, rest_b);

  // A position at the very end of an epoch is valid and rolls over.
  DistributedSampler c(101, 11, 1, 3);
  c.set_position({0, 33});
  EXPECT_EQ(c.next().epoch, 1u);
}

TEST(DistributedSampler, RejectsBadConfigurations) {
  EXPECT_THROW(DistributedSampler(10, 0, 0, 0), Error);
  EXPECT_THROW(DistributedSampler(10, 0, 2, 2), Error);
  EXPECT_THROW(DistributedSampler(3, 0, 0, 4), Error);
  DistributedSampler s(10, 0, 0, 2);
  EXPECT_THROW(s.set_position({0, 6}), Error);
  EXPECT_NO_THROW(s.set_position({4, 5}));
}

}  // namespace
}  // namespace earlybert
