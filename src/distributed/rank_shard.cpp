// Per-rank shards of a dataset — see include/earlybert/distributed/rank_shard.h.
#include "earlybert/distributed/rank_shard.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Functions.h>

#include <string>

#include "earlybert/base/error.h"

namespace earlybert {
namespace {

void check_rank(int rank, int world_size) {
  if (world_size < 1 || rank < 0 || rank >= world_size)
    fail("shard", "rank " + std::to_string(rank) + " of world size " + std::to_string(world_size));
}

}  // namespace

std::vector<int64_t> shard_indices(const std::vector<int64_t>& indices, int rank, int world_size, uint64_t seed,
                                   uint64_t epoch, bool shuffle) {
  check_rank(rank, world_size);
  const auto n = static_cast<int64_t>(indices.size());
  if (n == 0) return {};
  std::vector<int64_t> order(indices.size());
  if (shuffle) {
    // torch.Generator().manual_seed(seed + epoch); torch.randperm(n, generator=g)
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed + epoch);
    const at::Tensor perm = at::randperm(n, generator, at::TensorOptions().dtype(at::kLong)).contiguous();
    const auto* p = perm.data_ptr<int64_t>();
    for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = indices[static_cast<size_t>(p[i])];
  } else {
    order = indices;
  }
  const int64_t per_rank = (n + world_size - 1) / world_size;
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(per_rank));
  // Position k of the padded list is order[k mod n] (padding repeats the head, as often as needed).
  for (int64_t k = rank; k < per_rank * world_size; k += world_size) out.push_back(order[static_cast<size_t>(k % n)]);
  return out;
}

ShardRange eval_shard_range(int64_t n, int rank, int world_size) {
  check_rank(rank, world_size);
  if (n < 0) fail("shard", "negative example count " + std::to_string(n));
  const int64_t base = n / world_size;
  const int64_t extra = n % world_size;
  ShardRange r;
  r.begin = rank * base + std::min<int64_t>(rank, extra);
  r.end = r.begin + base + (rank < extra ? 1 : 0);
  return r;
}

}  // namespace earlybert
