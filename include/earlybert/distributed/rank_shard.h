// Which examples each rank reads — pure functions of (list, rank, world size, seed, epoch).
//
// Training (shard_indices): exactly PyTorch's DistributedSampler(shuffle, seed, drop_last=False). The
// epoch's order is torch.randperm(n) with a generator seeded with seed + epoch (the same permutation
// as Python's, from the same LibTorch), padded by repeating its head until it divides by the world
// size, and rank r takes every world_size-th entry starting at r. Every rank gets ceil(n / world)
// entries, hence the same number of batches, so the ranks' collectives stay in step; a few examples
// appear twice per epoch when n does not divide. (Pre-training data has its own sampler,
// data/pretraining_sampler.h, which drops the remainder instead.)
//
// Evaluation (eval_shard_range): a contiguous block per rank, sizes differing by at most one, no
// padding — the metric must see every example exactly once. gather_in_rank_order (gather.h)
// concatenates the ranks' outputs in rank order, which restores the original order.
#pragma once

#include <cstdint>
#include <vector>

namespace earlybert {

/// Rank `rank`'s share of `indices` for `epoch` (see the header comment). shuffle = false keeps the
/// list's order before striding. Error for rank outside [0, world_size).
std::vector<int64_t> shard_indices(const std::vector<int64_t>& indices, int rank, int world_size, uint64_t seed,
                                   uint64_t epoch, bool shuffle = true);

/// [begin, end) of rank `rank`'s contiguous block of n examples.
struct ShardRange {
  int64_t begin = 0;
  int64_t end = 0;
  int64_t size() const { return end - begin; }
};
ShardRange eval_shard_range(int64_t n, int rank, int world_size);

}  // namespace earlybert
