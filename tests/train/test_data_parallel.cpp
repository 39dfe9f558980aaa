// The pure pieces of data_parallel.h: each rank's share of an epoch (whose step-wise union is one
// process's batch at the world-size-times larger batch), per-rank seeds, RNG states between ranks and in
// trainer_state.json, and DataParallel over one process (every call the identity, no collective).
// The multi-process behaviour is in test_data_parallel_ranks.cpp.
#include "earlybert/train/data_parallel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "earlybert/data/pretraining_sampler.h"
#include "expect_error.h"

namespace earlybert {
namespace {

std::vector<int64_t> iota(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

TEST(RankShareOfEpoch, OneRankReadsTheOrderAsItIs) {
  const auto perm = epoch_order(10, 7, 2, true);
  const std::vector<int64_t> order(perm.begin(), perm.end());
  EXPECT_EQ(rank_share_of_epoch(order, 0, 1), order);
}

TEST(RankShareOfEpoch, StridedAndPaddedLikeDistributedSampler) {
  const std::vector<int64_t> order = {4, 0, 3, 1, 2};
  EXPECT_EQ(rank_share_of_epoch(order, 0, 2), (std::vector<int64_t>{4, 3, 2}));
  EXPECT_EQ(rank_share_of_epoch(order, 1, 2), (std::vector<int64_t>{0, 1, 4}));  // padded with the head
  EXPECT_THROW(rank_share_of_epoch(order, 2, 2), Error);
}

TEST(RankShareOfEpoch, StepKOfAllRanksIsStepKOfOneProcessWithTheGlobalBatch) {
  for (int world : {2, 3, 4}) {
    for (int64_t bs : {1, 2, 5}) {
      const int64_t n = world * bs * 6;  // divides: no padding
      const auto perm = epoch_order(static_cast<size_t>(n), 11, 3, true);
      const std::vector<int64_t> order(perm.begin(), perm.end());
      std::vector<std::vector<int64_t>> shares;
      for (int r = 0; r < world; ++r) shares.push_back(rank_share_of_epoch(order, r, world));
      for (int64_t k = 0; k < n / (world * bs); ++k) {
        std::multiset<int64_t> ranks, one(order.begin() + k * world * bs, order.begin() + (k + 1) * world * bs);
        for (const auto& s : shares) ranks.insert(s.begin() + k * bs, s.begin() + (k + 1) * bs);
        EXPECT_EQ(ranks, one) << "world " << world << " batch " << bs << " step " << k;
      }
    }
  }
}

TEST(RankStreamSeed, EveryRankItsOwnStream) {
  std::set<uint64_t> seeds;
  for (int r = 0; r < 8; ++r) seeds.insert(rank_stream_seed(42, r));
  EXPECT_EQ(seeds.size(), 8u);
  EXPECT_EQ(rank_stream_seed(42, 0), 42u);
}

TEST(RngStatePacking, RoundTripsAnyBytes) {
  RngState s;
  s.torch_cpu = std::string("\0\x01:9x", 5) + std::string(300, '\xff');
  s.torch_cuda = {"", std::string("a:b\0c", 5), "12:"};
  EXPECT_EQ(unpack_rng_state(pack_rng_state(s), "x"), s);
  EXPECT_EQ(unpack_rng_state(pack_rng_state(RngState{}), "x"), RngState{});
}

TEST(RngStatePacking, DamagedBytesAreErrorsNamingTheSource) {
  const std::string good = pack_rng_state(RngState{"abc", {"d"}});
  test::expect_error([&] { unpack_rng_state(good.substr(0, good.size() - 1), "rank 1"); }, {"rank 1", "RNG state"});
  test::expect_error([&] { unpack_rng_state(good + "x", "rank 1"); }, {"rank 1", "trailing"});
  test::expect_error([&] { unpack_rng_state("z:abc", "rank 1"); }, {"rank 1", "malformed"});
}

TEST(TrainerStateRankRng, RoundTripsAndIsAbsentForOneProcess) {
  TrainerState s;
  s.world_size = 2;
  s.rng = RngState{"r0", {}};
  s.rank_rng = {RngState{"r0", {}}, RngState{"r1", {"c1"}}};
  const TrainerState back = TrainerState::from_json(s.to_json(), "state");
  EXPECT_EQ(back.rank_rng, s.rank_rng);
  EXPECT_EQ(back, s);
  TrainerState one;
  EXPECT_EQ(one.to_json().find("rank_rng"), std::string::npos);
  EXPECT_TRUE(TrainerState::from_json(one.to_json(), "state").rank_rng.empty());
}

TEST(DataParallelOneProcess, EveryCallIsTheIdentity) {
  SingleProcessCommunicator comm;
  DataParallel dp(comm);
  EXPECT_FALSE(dp.active());
  const auto totals = dp.reduce_step(0.25, 17);
  EXPECT_EQ(totals.loss, 0.25);
  EXPECT_EQ(totals.tokens, 17);
  EXPECT_TRUE(dp.any_rank(true));
  EXPECT_FALSE(dp.any_rank(false));
  EXPECT_TRUE(dp.gather_rng_states(RngState{"x", {}}).empty());
  EXPECT_EQ(dp.decided_on_rank_zero([] { return std::string("latest"); }), "latest");
  TrainerState st;
  st.rng = RngState{"mine", {}};
  EXPECT_EQ(dp.rng_state_of_this_rank(st, "state").torch_cpu, "mine");
  EXPECT_EQ(dp.rank_device(c10::Device(c10::kCPU)), c10::Device(c10::kCPU));
  dp.before_backward(false);  // no reducer for one process
  dp.gradients_ready();
  dp.barrier();
}

}  // namespace
}  // namespace earlybert
